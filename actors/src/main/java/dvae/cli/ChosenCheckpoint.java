package dvae.cli;

import dvae.math.BadInputException;
import dvae.math.run.Checkpoint;
import dvae.math.run.Checkpoints;
import dvae.math.run.RunDirectory;

/**
 * The checkpoint of a run a command works on, and which one it is: {@code best} (the lowest validation score) or
 * {@code last} (also when best was asked for but no checkpoint is scored yet).
 */
record ChosenCheckpoint(Checkpoint checkpoint, String kind) {

    /** {@code which} is the user's {@code --checkpoint}: best or last. */
    static ChosenCheckpoint choose(RunDirectory run, String which) {
        if (!which.equals("best") && !which.equals("last")) {
            throw new BadInputException("--checkpoint must be best or last, got '" + which + "'");
        }
        Checkpoints checkpoints = run.checkpoints(Checkpoints.DEFAULT_KEEP_LAST);
        if (which.equals("best")) {
            var best = checkpoints.best();
            if (best.isPresent()) {
                return new ChosenCheckpoint(best.get(), "best");
            }
            System.err.println("note: " + run.root() + " has no scored checkpoint yet; using the last one");
        }
        return new ChosenCheckpoint(checkpoints.latest()
                .orElseThrow(() -> new BadInputException(run.root() + ": no checkpoint")), "last");
    }
}
