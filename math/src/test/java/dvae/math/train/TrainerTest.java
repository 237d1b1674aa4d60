package dvae.math.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.autodiff.Param;
import dvae.math.data.Dataset;
import dvae.math.data.SyntheticData;
import dvae.math.model.ModelCheckpoint;
import dvae.math.model.ModelConfig;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.model.ModelConfig.RelaxationKind;
import dvae.math.nn.BatchNorm;
import dvae.math.run.MetricsLog;
import dvae.math.run.RunDirectory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    private static final int PIXELS = 784;

    static ModelConfig tinyModel(PosteriorKind posterior, int levels, RelaxationKind relaxation,
                                 ObjectiveKind objective, int samples) {
        return new ModelConfig(8, posterior, levels, relaxation, 4, true, 10, 30, objective, samples, 2, 1, 1.5, true,
                new int[] {32}, new int[] {32}, BatchNorm.Config.DEFAULT, PIXELS);
    }

    /** Validation NLL and prior AIS settings small enough for tests: 12 images, K = 40, AIS 30 × 16 and 20. */
    static final TrainConfig.ValidNll TINY_VALID_NLL = new TrainConfig.ValidNll(12, 40, 30, 16, 20);

    /** Selecting by the bound; {@link #TINY_VALID_NLL}'s prior AIS gives its log Z. */
    static TrainConfig tinyTraining(long iterations, long validEvery) {
        return tinyTraining(iterations, validEvery, TrainConfig.SelectBy.LOSS);
    }

    static TrainConfig tinyTraining(long iterations, long validEvery, TrainConfig.SelectBy selectBy) {
        return new TrainConfig(iterations, 20, 3e-3, 1e-4, 0.9, 0.999, 1e-3, 0.3, 0.5, 0.05, "pcd", 50, 5,
                validEvery, 0, TINY_VALID_NLL, 1, 2, 3, 5, selectBy);
    }

    private static List<Double> losses(Path metrics) {
        return MetricsLog.read(metrics).stream().filter(m -> m.containsKey("loss") && !m.containsKey("event"))
                .map(m -> ((Number) m.get("loss")).doubleValue()).collect(Collectors.toList());
    }

    private static double mean(List<Double> xs, int from, int to) {
        return xs.subList(from, to).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    @Test
    void everyPosteriorAndObjectiveLowersItsLoss(@TempDir Path dir) {
        List<ModelConfig> models = List.of(
                tinyModel(PosteriorKind.RBM, 1, RelaxationKind.PWL, ObjectiveKind.ELBO, 1),
                tinyModel(PosteriorKind.RBM, 1, RelaxationKind.PWL, ObjectiveKind.IW, 3),
                tinyModel(PosteriorKind.RBM, 1, RelaxationKind.PWL, ObjectiveKind.STRUCT, 3),
                tinyModel(PosteriorKind.DIRECTED, 2, RelaxationKind.PWL, ObjectiveKind.ELBO, 1),
                tinyModel(PosteriorKind.DIRECTED, 4, RelaxationKind.CONCRETE, ObjectiveKind.IW, 3),
                tinyModel(PosteriorKind.DIRECTED, 1, RelaxationKind.POWER, ObjectiveKind.ELBO, 1),
                tinyModel(PosteriorKind.DVAE_SHARP, 2, RelaxationKind.PWL, ObjectiveKind.STRUCT, 1));
        Dataset data = SyntheticData.noisyPrototypes(400, 11);
        for (ModelConfig c : models) {
            Path runDir = dir.resolve(c.label() + "-" + c.objective());
            Trainer trainer = new Trainer(c, tinyTraining(150, 150), data);
            Trainer.Summary summary = trainer.run(RunDirectory.create(runDir, "test"), new Trainer.Listener() {
            });
            List<Double> loss = losses(runDir.resolve("metrics.jsonl"));
            assertEquals(150, loss.size(), c.label());
            assertEquals(0, summary.skippedSteps(), c.label() + " had non-finite steps");
            assertTrue(loss.stream().allMatch(Double::isFinite), c.label());
            // After the warm-up (λ = 1 from step 45) the loss must keep falling.
            double early = mean(loss, 45, 65);
            double late = mean(loss, 130, 150);
            assertTrue(late < early - 1, c.label() + " " + c.objective() + ": loss " + early + " -> " + late);
            assertTrue(summary.bestValidLoss() != null && Double.isFinite(summary.bestValidLoss()), c.label());
        }
    }

    private static final Dataset RESUME_DATA = SyntheticData.noisyPrototypes(200, 11);
    private static final ModelConfig RESUME_MODEL = tinyModel(PosteriorKind.RBM, 1, RelaxationKind.PWL,
            ObjectiveKind.ELBO, 1);

    /** A 40-step run validated at steps 20 and 40, uninterrupted, in dir/straight; returns its metrics file. */
    private static Path uninterrupted(Path dir) {
        new Trainer(RESUME_MODEL, tinyTraining(40, 20), RESUME_DATA).run(RunDirectory.create(dir.resolve("straight"),
                "x"), new Trainer.Listener() {
        });
        return dir.resolve("straight").resolve("metrics.jsonl");
    }

    @Test
    void resumedRunsReproduceTheUninterruptedLossesExactly(@TempDir Path dir) {
        Dataset data = RESUME_DATA;
        ModelConfig c = RESUME_MODEL;
        TrainConfig straight = tinyTraining(40, 20);
        Path whole = uninterrupted(dir);

        // Abandoned after its step-20 checkpoint (a crash; the checkpoint stores the settings, so the interrupted
        // run is started with the full iteration count).
        Path split = dir.resolve("split");
        runUntil(new Trainer(c, straight, data), RunDirectory.create(split, "x"), 20);
        Trainer resumed = Trainer.resume(RunDirectory.open(split), data);
        assertEquals(20, resumed.step());
        resumed.run(RunDirectory.open(split), new Trainer.Listener() {
        });
        assertEquals(losses(whole), losses(split.resolve("metrics.jsonl")));

        // Stopped on request (Ctrl-C): asked once per trained step, the 13th answer stops the run between two
        // validations, with a checkpoint at step 13.
        Path stopped = dir.resolve("stopped");
        Trainer.Summary first = new Trainer(c, straight, data).run(RunDirectory.create(stopped, "x"),
                new Trainer.Listener() {
                    private int asked;

                    @Override
                    public boolean stopRequested() {
                        return ++asked == 13;
                    }
                });
        assertEquals(13, first.steps());
        Trainer continued = Trainer.resume(RunDirectory.open(stopped), data);
        assertEquals(13, continued.step());
        assertEquals(40, continued.run(RunDirectory.open(stopped), new Trainer.Listener() {
        }).steps());
        assertEquals(losses(whole), losses(stopped.resolve("metrics.jsonl")));
        // No validation at the stop, so the validation stream is where it would have been: the same valid losses.
        assertEquals(validLosses(whole), validLosses(stopped.resolve("metrics.jsonl")));
    }

    /**
     * Checkpoints by the wall clock (here due after every step) leave the run as it was, and a run killed between two
     * validations resumes from the last of them exactly.
     */
    @Test
    void timedCheckpointsLeaveTheRunAsItWasAndAKilledRunResumesFromTheLast(@TempDir Path dir) {
        Dataset data = RESUME_DATA;
        ModelConfig c = RESUME_MODEL;
        TrainConfig straight = tinyTraining(40, 20);
        Path whole = uninterrupted(dir);

        class Killed extends RuntimeException {
        }
        Path timed = dir.resolve("timed");
        assertThrows(Killed.class, () -> new Trainer(c, straight, data).run(RunDirectory.create(timed, "x"),
                new Trainer.Listener() {
                    @Override
                    public void onLog(Map<String, Object> m) {
                        if (((Number) m.get("step")).longValue() == 13) {
                            throw new Killed(); // before step 13's checkpoint
                        }
                    }

                    @Override
                    public double checkpointMinutes() {
                        return 1e-9;
                    }
                }));
        Trainer resumed = Trainer.resume(RunDirectory.open(timed), data);
        assertEquals(12, resumed.step());
        resumed.run(RunDirectory.open(timed), new Trainer.Listener() {
            @Override
            public double checkpointMinutes() {
                return 1e-9;
            }
        });
        assertEquals(losses(whole), losses(timed.resolve("metrics.jsonl")));
        assertEquals(validLosses(whole), validLosses(timed.resolve("metrics.jsonl")));
        List<Long> timedSteps = MetricsLog.read(timed.resolve("metrics.jsonl")).stream()
                .filter(m -> Trainer.TIMED_CHECKPOINT_EVENT.equals(m.get("event")))
                .map(m -> ((Number) m.get("step")).longValue()).toList();
        assertEquals(java.util.stream.LongStream.rangeClosed(1, 39).filter(i -> i != 20).boxed().toList(),
                timedSteps, "a timed checkpoint after every step but the validations'");
    }

    private static List<Double> validLosses(Path metrics) {
        return MetricsLog.read(metrics).stream().filter(m -> m.containsKey("valid_loss"))
                .map(m -> ((Number) m.get("valid_loss")).doubleValue()).collect(Collectors.toList());
    }

    private static List<Map<String, Object>> validationLines(Path metrics) {
        return MetricsLog.read(metrics).stream().filter(m -> m.containsKey("valid_loss")).toList();
    }

    private static double number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }

    /** Runs a trainer until its first validation at or after {@code step}, then abandons it (a crash). */
    private static void runUntil(Trainer trainer, RunDirectory run, long step) {
        class Stop extends RuntimeException {
        }
        try {
            trainer.run(run, new Trainer.Listener() {
                @Override
                public void onValidation(long at, Validation valid, RunDirectory r, dvae.math.model.DvaeModel m) {
                    if (at >= step) {
                        throw new Stop();
                    }
                }
            });
        } catch (Stop expected) {
            return;
        }
        throw new AssertionError("the run ended before step " + step);
    }

    /**
     * With validation NLLs (the authors' model selection) each validation records the NLL that the evaluation
     * measures for its checkpoint on the same validation images, the best checkpoint is the lowest of them, and the
     * training itself is the run's without them: the NLL draws from streams of its own.
     */
    @Test
    void validationNllsPickTheBestCheckpointAndLeaveTheTrainingAsItWas(@TempDir Path dir) {
        Dataset data = SyntheticData.noisyPrototypes(200, 11);
        ModelConfig c = tinyModel(PosteriorKind.RBM, 1, RelaxationKind.PWL, ObjectiveKind.ELBO, 1);
        TrainConfig byLoss = tinyTraining(30, 10);
        TrainConfig byNll = tinyTraining(30, 10, TrainConfig.SelectBy.NLL);
        new Trainer(c, byLoss, data).run(RunDirectory.create(dir.resolve("loss"), "x"), new Trainer.Listener() {
        });
        List<Integer> progressShown = new java.util.ArrayList<>();
        RunDirectory run = RunDirectory.create(dir.resolve("nll"), "x");
        new Trainer(c, byNll, data).run(run, new Trainer.Listener() {
            @Override
            public dvae.math.util.Progress validationProgress(long step, int examples) {
                progressShown.add(examples);
                return null;
            }
        });
        assertEquals(losses(dir.resolve("loss").resolve("metrics.jsonl")), losses(run.metricsFile()));
        // The same bounds on validation data, each with its AIS log Z: the same settings and stream, but in the
        // evaluation the AIS is one part of the cores' work, alone it is cut in parts for them (other draws).
        List<Map<String, Object>> byBound = validationLines(dir.resolve("loss").resolve("metrics.jsonl"));
        List<Map<String, Object>> byNllLines = validationLines(run.metricsFile());
        assertEquals(3, byNllLines.size());
        for (int i = 0; i < 3; i++) {
            double logZ = number(byNllLines.get(i), "valid_prior_log_z");
            double otherLogZ = number(byBound.get(i), "valid_prior_log_z");
            assertEquals(number(byBound.get(i), "valid_loss") - otherLogZ, number(byNllLines.get(i), "valid_loss")
                    - logZ, 1e-9);
            assertEquals(otherLogZ, logZ, 5 * Math.hypot(number(byBound.get(i), "valid_prior_log_z_sd"),
                    number(byNllLines.get(i), "valid_prior_log_z_sd")));
        }
        assertEquals(List.of(12, 12, 12), progressShown);

        List<Map<String, Object>> validations = MetricsLog.read(run.metricsFile()).stream()
                .filter(m -> m.containsKey("valid_nll")).toList();
        assertEquals(List.of(10L, 20L, 30L), validations.stream().map(m -> ((Number) m.get("step")).longValue())
                .toList());
        var checkpoints = run.checkpoints(2);
        Map<String, Object> best = validations.stream()
                .min(java.util.Comparator.comparingDouble(m -> ((Number) m.get("valid_nll")).doubleValue()))
                .orElseThrow();
        var chosen = checkpoints.best().orElseThrow();
        assertEquals(((Number) best.get("step")).longValue(), chosen.step());
        assertEquals("valid_nll", chosen.score().metric());

        // The evaluation of the best checkpoint, read back from disk, on the same seeded subset of validation images.
        dvae.math.model.DvaeModel model = ModelCheckpoint.load(chosen.dir()).model();
        int[] indices = dvae.math.eval.Evaluation.subset(data.valid().rows(), 12, byNll.seed());
        dvae.math.tensor.Matrix x = new dvae.math.tensor.Matrix(indices.length, PIXELS);
        data.valid().fill(indices, x.data);
        var outcome = new dvae.math.eval.Evaluation(model, new dvae.math.eval.EvalSettings(40, 30, 16, 20, 40,
                dvae.math.eval.EvalSettings.POSTERIOR_WEIGHTS, byNll.seed()), 2).run(x, indices, null, null);
        double nll = dvae.math.eval.Evaluation.MeanAndError.of(dvae.math.eval.Evaluation.nlls(outcome,
                outcome.prior().ais().logZ(), ObjectiveKind.ELBO)).mean();
        assertEquals(((Number) best.get("valid_nll")).doubleValue(), nll, 1e-9);
        assertEquals(12, ((Number) best.get("valid_nll_examples")).intValue());
    }

    @Test
    void nonFiniteStepsAreSkippedThenStopTheRunWithTheLastCheckpointIntact(@TempDir Path dir) {
        Dataset data = SyntheticData.noisyPrototypes(200, 11);
        ModelConfig c = tinyModel(PosteriorKind.DIRECTED, 1, RelaxationKind.PWL, ObjectiveKind.ELBO, 1);
        Path runDir = dir.resolve("run");
        runUntil(new Trainer(c, tinyTraining(100, 10), data), RunDirectory.create(runDir, "x"), 10);
        Trainer resumed = Trainer.resume(RunDirectory.open(runDir), data);
        for (Param p : resumed.model().params().trainable()) {
            if (p.name().startsWith("decoder")) {
                p.value().data[0] = Float.NaN;
            }
        }
        Trainer.TrainingDiverged e = assertThrows(Trainer.TrainingDiverged.class,
                () -> resumed.run(RunDirectory.open(runDir), new Trainer.Listener() {
                }));
        assertTrue(e.getMessage().contains("3 non-finite steps in a row") && e.getMessage().contains("step-0000010"),
                e.getMessage());
        List<Map<String, Object>> log = MetricsLog.read(runDir.resolve("metrics.jsonl"));
        assertEquals(3, log.stream().filter(m -> "non-finite step skipped".equals(m.get("event"))).count());
        ModelCheckpoint.Loaded good = ModelCheckpoint.load(
                RunDirectory.open(runDir).resumePoint().orElseThrow().dir());
        for (Param p : good.model().params().all()) {
            for (float v : p.value().data) {
                assertTrue(Float.isFinite(v), p.name());
            }
        }
    }
}
