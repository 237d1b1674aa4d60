package dvae.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.CoordinatedShutdown;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dvae.cli.Settings;
import dvae.math.BadInputException;
import dvae.math.data.Dataset;
import dvae.math.model.DvaeModel;
import dvae.math.run.MetricsLog;
import dvae.math.run.RunDirectory;
import dvae.math.train.ResumePoint;
import dvae.math.train.TrainConfig;
import dvae.math.train.Trainer;
import dvae.math.train.Validation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An actor run stopped after a checkpoint and resumed from it: with one synchronous worker it continues exactly as
 * if it had not stopped (server, Adam, samplers, batch order, chains and every stream come back), and its chain
 * keepers restore their shards, counting what they could not restore.
 */
class ActorResumeTest {
    private static final Dataset DATA = TinyTraining.data(200);
    private static final TrainConfig TRAINING = TinyTraining.training(30, 10, "pa");

    /** Stops the run (after its checkpoint is written) at the validation of step {@code at}. */
    private static Trainer.Listener stopAt(long at) {
        return new Trainer.Listener() {
            @Override
            public void onValidation(long step, Validation valid, RunDirectory run, DvaeModel model) {
                if (step == at) {
                    throw new IllegalStateException("stopped at step " + at);
                }
            }
        };
    }

    private static Trainer.Summary run(Config config, String name, RunDirectory dir, ResumePoint from,
                                       Trainer.Listener listener) {
        return TrainingNode.runAlone(config, name, new TrainingRoles.Training(TinyTraining.model(),
                        from == null ? TRAINING : from.config(), DATA, from),
                TrainingRoles.Topology.from(new Settings(config), 1), dir, listener);
    }

    /** Stops a run at step 20 and resumes it; returns the resumed summary. */
    private static Trainer.Summary stopAndResume(Config config, Path dir, String name,
                                                 java.util.function.Consumer<Path> beforeResume) {
        RunDirectory fresh = RunDirectory.create(dir, "x");
        assertThrows(RuntimeException.class, () -> run(config, name + "-1", fresh, null, stopAt(20)));
        RunDirectory opened = RunDirectory.open(dir);
        ResumePoint from = ResumePoint.of(opened, DATA).requireContinuableBy(ResumePoint.ACTORS, 1);
        assertEquals(20, from.step());
        beforeResume.accept(from.checkpoint().dir());
        return run(config, name + "-2", opened, from, new Trainer.Listener() {
        });
    }

    private static List<Map<String, Object>> events(Path run, String event) {
        return MetricsLog.read(run.resolve("metrics.jsonl")).stream().filter(m -> event.equals(m.get("event")))
                .toList();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aResumedSynchronousRunReproducesTheUninterruptedRun(@TempDir Path dir) {
        Config config = ConfigFactory.load("application-test");
        Trainer.Summary whole = run(config, "dvae-whole", RunDirectory.create(dir.resolve("whole"), "x"), null,
                new Trainer.Listener() {
                });
        Trainer.Summary resumed = stopAndResume(config, dir.resolve("resumed"), "dvae-resumed", d -> {
        });

        List<Double> expected = TinyTraining.losses(dir.resolve("whole").resolve("metrics.jsonl"));
        assertEquals(30, expected.size());
        assertEquals(expected, TinyTraining.losses(dir.resolve("resumed").resolve("metrics.jsonl")));
        assertEquals(validLosses(dir.resolve("whole")), validLosses(dir.resolve("resumed")));
        assertEquals(whole.steps(), resumed.steps());
        assertEquals(whole.lastLoss(), resumed.lastLoss());
        List<Map<String, Object>> restored = events(dir.resolve("resumed"), "chains restored");
        assertEquals(1, restored.size());
        assertEquals(0, ((Number) restored.get(0).get("reinitialised")).intValue());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aShutdownCheckpointsTheStepsTrainedAndTheResumedRunContinuesExactly(@TempDir Path dir) throws Exception {
        Config config = ConfigFactory.load("application-test");
        run(config, "dvae-straight", RunDirectory.create(dir.resolve("straight"), "x"), null, new Trainer.Listener() {
        });
        // As Ctrl-C or SIGTERM does through Akka's JVM hook: the system's coordinated shutdown, here after step 13
        // (between the validations of steps 10 and 20), while the worker's pipeline holds more batches.
        Path stopped = dir.resolve("stopped");
        AtomicReference<TrainingNode> node = new AtomicReference<>();
        Config alone = ConfigFactory.parseMap(Map.of("akka.cluster.seed-nodes", List.of())).withFallback(config);
        node.set(TrainingNode.start(alone, "dvae-stopped", 0, List.of(TrainingRoles.PARAMETER_SERVER,
                        TrainingRoles.CHAIN_KEEPER, TrainingRoles.SAMPLER, TrainingRoles.WORKER,
                        TrainingRoles.COORDINATOR), "", new TrainingRoles.Training(TinyTraining.model(), TRAINING, DATA),
                TrainingRoles.Topology.from(new Settings(config), 1), RunDirectory.create(stopped, "x"),
                new Trainer.Listener() {
                    private boolean asked;

                    @Override
                    public void onLog(Map<String, Object> m) {
                        if (!asked && ((Number) m.get("step")).longValue() >= 13) {
                            asked = true;
                            CoordinatedShutdown.get(node.get().system()).runAll(CoordinatedShutdown.jvmExitReason());
                        }
                    }
                }));
        akka.cluster.typed.Cluster cluster = akka.cluster.typed.Cluster.get(node.get().system());
        cluster.manager().tell(akka.cluster.typed.Join.create(cluster.selfMember().address()));
        Trainer.Summary first = node.get().awaitSummary();
        node.get().system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertTrue(first.steps() >= 13 && first.steps() < 20, "stopped at step " + first.steps());
        assertEquals(List.of(first.steps()), events(stopped, "stopped on request").stream()
                .map(m -> ((Number) m.get("step")).longValue()).toList());
        RunDirectory opened = RunDirectory.open(stopped);
        ResumePoint from = ResumePoint.of(opened, DATA).requireContinuableBy(ResumePoint.ACTORS, 1);
        assertEquals(first.steps(), from.step());
        assertEquals(30, run(config, "dvae-stopped-2", opened, from, new Trainer.Listener() {
        }).steps());
        assertEquals(TinyTraining.losses(dir.resolve("straight").resolve("metrics.jsonl")),
                TinyTraining.losses(stopped.resolve("metrics.jsonl")));
        // The stop's checkpoint does not validate, so the validation stream is where it would have been.
        assertEquals(validLosses(dir.resolve("straight")), validLosses(stopped));
    }

    /**
     * Checkpoints by the wall clock (here due whenever a step has been trained since the last) hold the batches back
     * until those in flight settle, as a stop does, and leave the run as it was: same losses, same validations.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void timedCheckpointsLeaveTheRunAsItWas(@TempDir Path dir) {
        Config config = ConfigFactory.load("application-test");
        run(config, "dvae-untimed", RunDirectory.create(dir.resolve("untimed"), "x"), null, new Trainer.Listener() {
        });
        run(config, "dvae-timed", RunDirectory.create(dir.resolve("timed"), "x"), null, new Trainer.Listener() {
            @Override
            public double checkpointMinutes() {
                return 1e-9;
            }
        });
        assertEquals(TinyTraining.losses(dir.resolve("untimed").resolve("metrics.jsonl")),
                TinyTraining.losses(dir.resolve("timed").resolve("metrics.jsonl")));
        assertEquals(validLosses(dir.resolve("untimed")), validLosses(dir.resolve("timed")));
        List<Long> timed = events(dir.resolve("timed"), Trainer.TIMED_CHECKPOINT_EVENT).stream()
                .map(m -> ((Number) m.get("step")).longValue()).toList();
        // At most one batch more than the pipeline's depth between two checkpoints.
        assertTrue(timed.size() >= 30 / 3, "timed checkpoints at " + timed);
        assertTrue(timed.stream().allMatch(step -> step % 10 != 0), "a validation step timed: " + timed);
        assertTrue(events(dir.resolve("untimed"), Trainer.TIMED_CHECKPOINT_EVENT).isEmpty());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void keepersRestoreTheirShardsAndCountTheChainsTheyCouldNotRestore(@TempDir Path dir) {
        Config config = ConfigFactory.parseMap(Map.of("dvae.actors.chain-shards", 2))
                .withFallback(ConfigFactory.load("application-test"));
        // Shard 1's snapshot is lost: its 100 chains start afresh, shard 0's come back.
        Trainer.Summary resumed = stopAndResume(config, dir, "dvae-keepers", checkpoint -> {
            try {
                Files.delete(checkpoint.resolve("chains-100-200.bin"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        assertEquals(30, resumed.steps());
        List<Map<String, Object>> restored = events(dir, "chains restored");
        assertEquals(2, restored.size());
        assertEquals(List.of(0, 100), restored.stream().map(m -> ((Number) m.get("reinitialised")).intValue())
                .sorted().toList());
        assertTrue(restored.stream().allMatch(m -> ((Number) m.get("step")).longValue() == 20));
        assertEquals(30, TinyTraining.losses(dir.resolve("metrics.jsonl")).size());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRunResumedFromItsFinalCheckpointEndsAtOnce(@TempDir Path dir) {
        Config config = ConfigFactory.load("application-test");
        run(config, "dvae-final-1", RunDirectory.create(dir, "x"), null, new Trainer.Listener() {
        });
        RunDirectory opened = RunDirectory.open(dir);
        Trainer.Summary again = run(config, "dvae-final-2", opened, ResumePoint.of(opened, DATA),
                new Trainer.Listener() {
                });
        assertEquals(30, again.steps());
        assertEquals(30, TinyTraining.losses(dir.resolve("metrics.jsonl")).size());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theReferenceTrainerContinuesAnActorRunOfOneWorkerExactly(@TempDir Path dir) {
        // Two chain shards: the reference trainer gathers its one store from both keepers' files.
        Config config = ConfigFactory.parseMap(Map.of("dvae.actors.chain-shards", 2))
                .withFallback(ConfigFactory.load("application-test"));
        run(config, "dvae-switch-whole", RunDirectory.create(dir.resolve("whole"), "x"), null,
                new Trainer.Listener() {
                });
        RunDirectory switched = RunDirectory.create(dir.resolve("switched"), "x");
        assertThrows(RuntimeException.class, () -> run(config, "dvae-switch-1", switched, null, stopAt(20)));

        Trainer resumed = Trainer.resume(RunDirectory.open(dir.resolve("switched")), DATA);
        assertEquals(20, resumed.step());
        resumed.run(RunDirectory.open(dir.resolve("switched")), new Trainer.Listener() {
        });

        List<Double> expected = TinyTraining.losses(dir.resolve("whole").resolve("metrics.jsonl"));
        assertEquals(30, expected.size());
        assertEquals(expected, TinyTraining.losses(dir.resolve("switched").resolve("metrics.jsonl")));
        assertEquals(validLosses(dir.resolve("whole")), validLosses(dir.resolve("switched")));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theActorSystemContinuesAReferenceRunExactly(@TempDir Path dir) {
        new Trainer(TinyTraining.model(), TRAINING, DATA).run(RunDirectory.create(dir.resolve("whole"), "x"),
                new Trainer.Listener() {
                });
        RunDirectory switched = RunDirectory.create(dir.resolve("switched"), "x");
        assertThrows(RuntimeException.class, () -> new Trainer(TinyTraining.model(), TRAINING, DATA).run(switched,
                stopAt(20)));

        // Two chain shards: each keeper takes its range from the reference trainer's one store.
        Config config = ConfigFactory.parseMap(Map.of("dvae.actors.chain-shards", 2))
                .withFallback(ConfigFactory.load("application-test"));
        RunDirectory opened = RunDirectory.open(dir.resolve("switched"));
        ResumePoint from = ResumePoint.of(opened, DATA).requireContinuableBy(ResumePoint.ACTORS, 1);
        assertEquals(ResumePoint.REFERENCE, from.engine());
        assertEquals(20, from.parameterVersion());
        run(config, "dvae-switch-2", opened, from, new Trainer.Listener() {
        });

        List<Double> expected = TinyTraining.losses(dir.resolve("whole").resolve("metrics.jsonl"));
        assertEquals(30, expected.size());
        assertEquals(expected, TinyTraining.losses(dir.resolve("switched").resolve("metrics.jsonl")));
        assertEquals(validLosses(dir.resolve("whole")), validLosses(dir.resolve("switched")));
        List<Map<String, Object>> restored = events(dir.resolve("switched"), "chains restored");
        assertEquals(List.of(0, 0), restored.stream().map(m -> ((Number) m.get("reinitialised")).intValue())
                .toList());
    }

    @Test
    void anActorRunOfSeveralSamplersIsLeftToTheActorSystem(@TempDir Path dir) {
        Config config = ConfigFactory.parseMap(Map.of("dvae.actors.samplers", 2))
                .withFallback(ConfigFactory.load("application-test"));
        RunDirectory fresh = RunDirectory.create(dir, "x");
        assertThrows(RuntimeException.class, () -> run(config, "dvae-engine", fresh, null, stopAt(10)));
        BadInputException e = assertThrows(BadInputException.class,
                () -> Trainer.resume(RunDirectory.open(dir), DATA));
        assertTrue(e.getMessage().contains("several prior samplers, which the reference trainer cannot continue: "
                + "resume it with --engine actors"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        BadInputException reference = assertThrows(BadInputException.class,
                () -> ResumePoint.of(RunDirectory.open(dir), DATA).requireContinuableBy("magic", 1));
        assertTrue(reference.getMessage().contains("unknown engine 'magic'"), reference.getMessage());
    }

    private static List<Object> validLosses(Path run) {
        return MetricsLog.read(run.resolve("metrics.jsonl")).stream().filter(m -> m.containsKey("valid_loss"))
                .map(m -> m.get("valid_loss")).toList();
    }
}
