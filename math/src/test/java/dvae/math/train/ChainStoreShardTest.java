package dvae.math.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dvae.math.rbm.ChainStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A shard restores its snapshot; a missing or corrupt one leaves its states and counts them re-initialised. */
class ChainStoreShardTest {

    private static long[] words(ChainStoreShard shard, int example) {
        long[] w = new long[shard.wordsPerExample()];
        shard.read(example, w, 0);
        return w;
    }

    @Test
    void restoresItsSnapshotAndCountsWhatItCannot(@TempDir Path checkpoint) throws Exception {
        ChainStoreShard shard = new ChainStoreShard(new ChainStore(20, 2, 8, 5), 10, 10);
        long[] saved = words(shard, 12);
        shard.snapshot(checkpoint);
        long[] changed = saved.clone();
        changed[0] ^= 1;
        shard.write(12, changed, 0);

        assertEquals(0, shard.restore(checkpoint));
        assertArrayEquals(saved, words(shard, 12));

        Path file = checkpoint.resolve("chains-10-20.bin");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1; // the checksum no longer matches
        Files.write(file, bytes);
        shard.write(12, changed, 0);
        assertEquals(10, shard.restore(checkpoint));
        assertArrayEquals(changed, words(shard, 12)); // nothing was half-restored

        Files.delete(file);
        assertEquals(10, shard.restore(checkpoint));
    }
}
