package dvae.math.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.tensor.Matrix;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Results do not depend on threads or interruptions. */
class ResumeTest {
    private static final int EXAMPLES = 10;
    private static final Map<String, Object> IDENTITY = Map.of("checkpoint", "step-0000100", "split", "test");

    @TempDir
    Path dir;

    private static Evaluation.Outcome evaluate(DvaeModel model, int workers, PartialResults partial) {
        return new Evaluation(model, new EvalSettings(200, 50, 64, 20, 200, EvalSettings.POSTERIOR_WEIGHTS, 5), workers)
                .run(TinyModels.examples(EXAMPLES, 3), TinyModels.range(EXAMPLES), partial, null);
    }

    @Test
    void aPartlyWrittenEvaluationResumesToTheSameResult() throws Exception {
        for (PosteriorKind kind : List.of(PosteriorKind.RBM, PosteriorKind.DIRECTED)) {
            DvaeModel model = TinyModels.model(TinyModels.config(8, kind, 1, ObjectiveKind.ELBO), 1);
            Path file = dir.resolve(kind + ".jsonl");
            Evaluation.Outcome whole;
            try (PartialResults partial = PartialResults.open(file, IDENTITY)) {
                whole = evaluate(model, 2, partial);
            }
            assertEquals(0, whole.resumed());

            // Interrupted after the prior and four examples, in the middle of writing a fifth.
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            assertEquals(2 + EXAMPLES, lines.size());
            List<String> examples = lines.stream().filter(l -> l.startsWith("{\"example\"")).toList();
            String prior = lines.stream().filter(l -> l.startsWith("{\"prior\"")).findFirst().orElseThrow();
            String cut = String.join("\n", lines.get(0), prior, examples.get(0), examples.get(1), examples.get(2),
                    examples.get(3)) + "\n" + examples.get(4).substring(0, 20);
            Files.writeString(file, cut, StandardCharsets.UTF_8);

            Evaluation.Outcome resumed;
            try (PartialResults partial = PartialResults.open(file, IDENTITY)) {
                assertTrue(partial.prior().isPresent());
                assertEquals(4, partial.examples().size());
                resumed = evaluate(model, 1, partial);
            }
            assertEquals(4, resumed.resumed());
            assertEquals(whole.prior(), resumed.prior());
            assertEquals(whole.examples(), resumed.examples(), "bit-identical per-example results");
            assertEquals(2 + EXAMPLES, Files.readAllLines(file, StandardCharsets.UTF_8).size());
        }
    }

    /** A second process (here: a second opener) evaluating into the same file is refused, and the file kept. */
    @Test
    void aFileBeingWrittenIsNotOpenedTwice() throws Exception {
        Path file = dir.resolve("held.jsonl");
        try (PartialResults first = PartialResults.open(file, IDENTITY)) {
            String before = Files.readString(file);
            dvae.math.BadInputException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    dvae.math.BadInputException.class, () -> PartialResults.open(file, Map.of("checkpoint", "other")));
            assertTrue(refused.getMessage().startsWith(file + ": in use by another process (pid "),
                    refused.getMessage());
            assertEquals(before, Files.readString(file));
        }
        PartialResults.open(file, IDENTITY).close(); // released with the first
    }

    @Test
    void resultsOfAnotherEvaluationAreNotReused() {
        DvaeModel model = TinyModels.model(TinyModels.config(8, PosteriorKind.DIRECTED, 2, ObjectiveKind.ELBO), 1);
        Path file = dir.resolve("partial.jsonl");
        try (PartialResults partial = PartialResults.open(file, IDENTITY)) {
            evaluate(model, 2, partial);
        }
        try (PartialResults partial = PartialResults.open(file, Map.of("checkpoint", "step-0000200", "split", "test"))) {
            assertTrue(partial.prior().isEmpty());
            assertEquals(0, partial.examples().size());
        }
    }
}
