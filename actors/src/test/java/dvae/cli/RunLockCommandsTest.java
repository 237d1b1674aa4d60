package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.run.RunLock;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder another process is writing into is refused, before anything in it is read or changed: a run being trained
 * ({@code train --resume}) and an experiment's results ({@code experiment --force} or {@code --resume}). The lock is
 * held here by the test, as another process would hold it.
 */
class RunLockCommandsTest {
    @TempDir
    Path tmp;

    private static void assertRefused(CliRun r, Path dir) {
        EvalCommandTest.assertOneLineBadInput(r, dir + ": in use by another process (pid ");
    }

    @Test
    void aRunBeingTrainedIsNotResumedBySecondProcess() throws Exception {
        Path run = EvalCommandTest.runWithCheckpoint(tmp.resolve("run"), PosteriorKind.RBM, 1);
        try (RunLock held = RunLock.acquire(run)) {
            assertRefused(CliRun.run("train", "--resume", run.toString()), run);
        }
    }

    @Test
    void anExperimentBeingWrittenIsNotOverwritten() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("results"));
        Files.writeString(out.resolve("table.md"), "another process's");
        try (RunLock held = RunLock.acquire(out)) {
            assertRefused(CliRun.run("experiment", "toy-rbm", "--out", out.toString(), "--force"), out);
            assertEquals("another process's", Files.readString(out.resolve("table.md")));
        }
    }
}
