package dvae.math.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
    @Test
    void aHeldLockRefusesASecondHolderInOneLineNamingTheFirstUntilReleased(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        RunLock first = RunLock.acquire(dir);
        String pid = "pid " + ProcessHandle.current().pid();
        assertEquals(pid, Files.readString(dir.resolve(RunLock.FILE)).strip());
        assertEquals(java.util.Optional.of(pid), RunLock.holder(dir));

        BadInputException refused = assertThrows(BadInputException.class, () -> RunLock.acquire(dir));
        assertTrue(refused.getMessage().startsWith(dir + ": in use by another process (" + pid + ")"),
                refused.getMessage());
        assertFalse(refused.getMessage().contains("\n"));

        first.close();
        assertEquals(java.util.Optional.empty(), RunLock.holder(dir));
        RunLock.acquire(dir).close();
        assertEquals(java.util.Optional.empty(), RunLock.holder(tmp.resolve("never-locked")));
    }
}
