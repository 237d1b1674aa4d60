package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dvae experiment} end to end at tiny budgets set with --set. */
class ExperimentCommandTest {
    private static final String[] TINY_TOY_RBM = {"--set", "dvae.experiment.toy-rbm.iterations.quick=40",
        "--set", "dvae.experiment.toy-rbm.batch=10", "--set", "dvae.experiment.toy-rbm.kl-min-starts=2",
        "--set", "dvae.experiment.toy-rbm.kl-min-iterations=300", "--set", "dvae.experiment.toy-rbm.basin-iterations=300"};

    @TempDir
    Path tmp;

    private static CliRun run(List<String> args) {
        return CliRun.run(args.toArray(String[]::new));
    }

    private List<String> toyRbm(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("experiment", "toy-rbm", "--json", "--out", out.toString()));
        args.addAll(List.of(TINY_TOY_RBM));
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void anUnknownExperimentIsAOneLineErrorListingTheKnownOnes() {
        CliRun o = run(List.of("experiment", "table9"));
        assertEquals(Main.EXIT_BAD_INPUT, o.exit());
        assertEquals(List.of("error: unknown experiment 'table9'; known: toy-gaussian, toy-rbm, table7, table1, table2, table3, table5, table6, fig4, modes"),
                o.err().strip().lines().toList());
        assertTrue(o.out().isEmpty());
    }

    @Test
    void anUnknownBudgetIsRefused() {
        CliRun o = run(List.of("experiment", "toy-rbm", "--budget", "huge"));
        assertEquals(Main.EXIT_BAD_INPUT, o.exit());
        assertTrue(o.err().contains("unknown budget 'huge'; known: quick, paper"), o.err());
    }

    @Test
    void datasetIsCheckedAndRefusedWhereItDoesNotApply() {
        CliRun unknown = run(List.of("experiment", "table1", "--dataset", "cifar"));
        assertEquals(Main.EXIT_BAD_INPUT, unknown.exit());
        assertEquals(List.of("error: unknown data set 'cifar'; known: mnist, fashion-mnist, omniglot, mnist-amat"),
                unknown.err().strip().lines().toList());
        CliRun toy = run(List.of("experiment", "toy-rbm", "--dataset", "mnist", "--out", tmp.resolve("t").toString()));
        assertEquals(Main.EXIT_BAD_INPUT, toy.exit());
        assertEquals(List.of("error: --dataset does not apply to toy-rbm: it makes its own target"),
                toy.err().strip().lines().toList());
        assertTrue(Files.notExists(tmp.resolve("t")));
    }

    @Test
    void helpListsTheExperiments() {
        CliRun o = run(List.of("experiment", "--help"));
        assertEquals(0, o.exit());
        assertTrue(o.out().contains("  toy-rbm "), o.out());
        assertTrue(o.out().contains("  toy-gaussian "), o.out());
    }

    @Test
    void toyRbmPrintsTheDocumentedJsonAndWritesItsResults() throws Exception {
        Path out = tmp.resolve("toy-rbm");
        CliRun o = run(toyRbm(out));
        assertEquals(0, o.exit(), o.err());
        assertEquals(1, o.out().strip().lines().count(), "one JSON object on one line");
        JsonNode json = new ObjectMapper().readTree(o.out());
        assertEquals("toy-rbm", json.get("experiment").asText());
        assertEquals(List.of("experiment", "cases"), fieldNames(json).subList(0, 2));
        JsonNode cases = json.get("cases");
        assertEquals(4, cases.size());
        for (int i = 0; i < 4; i++) {
            JsonNode c = cases.get(i);
            assertEquals(Set.of("t", "kl", "kl_min", "gap"), Set.copyOf(fieldNames(c)));
            assertEquals(1 << i, c.get("t").asInt());
            assertEquals(c.get("kl").asDouble() - c.get("kl_min").asDouble(), c.get("gap").asDouble(), 1e-12);
            assertTrue(c.get("gap").asDouble() > -1e-6, "the exact minimum is a lower bound: " + c);
        }
        JsonNode basins = json.get("basins");
        assertEquals(4, basins.size());
        for (int i = 0; i < 4; i++) {
            JsonNode b = basins.get(i);
            assertEquals(1 << i, b.get("t").asInt());
            assertEquals(1, b.get("seeds").asInt());
            assertEquals(1, b.get("descended_kl").size());
            double descended = b.get("descended_kl").get(0).asDouble();
            double klMin = cases.get(i).get("kl_min").asDouble();
            assertTrue(descended > klMin - 1e-6, "descent cannot beat the exact minimum: " + b);
            assertEquals(descended - klMin <= 1e-5 ? 1 : 0, b.get("seeds_in_global_basin").asInt(), b.toString());
        }
        assertEquals(json.get("every_t_in_global_basin").asBoolean(), allInGlobalBasin(basins));
        for (String file : List.of("result.json", "table.md", "kl.png", "gap.png")) {
            assertTrue(Files.size(out.resolve(file)) > 0, file);
        }
        JsonNode result = new ObjectMapper().readTree(out.resolve("result.json").toFile());
        assertEquals(json.get("cases"), result.get("cases"));
        assertTrue(result.get("curves").has("t=8"));
        String table = Files.readString(out.resolve("table.md"));
        assertTrue(table.contains("budget `quick`: 1 seed(s)"), table);
        assertTrue(table.contains("40 iterations, 10 exact z' per iteration"), table);
        assertTrue(table.contains("| seeds ending in the global minimum's basin |"), table);
    }

    private static boolean allInGlobalBasin(JsonNode basins) {
        for (JsonNode b : basins) {
            if (b.get("seeds_in_global_basin").asInt() != b.get("seeds").asInt()) {
                return false;
            }
        }
        return true;
    }

    @Test
    void toyRbmVariantsAreSelectedBySettingAndStatedInTheTable() throws Exception {
        Path out = tmp.resolve("variant");
        CliRun o = run(toyRbm(out, "--set", "dvae.experiment.toy-rbm.relaxation=concrete",
                "--set", "dvae.experiment.toy-rbm.relaxation-beta=10",
                "--set", "dvae.experiment.toy-rbm.evaluation-point=rao-blackwell",
                "--set", "dvae.experiment.toy-rbm.initial-scale=1"));
        assertEquals(0, o.exit(), o.err());
        String table = Files.readString(out.resolve("table.md"));
        assertTrue(table.contains("updates with Concrete[beta=10.0], f evaluated at ζ_mf = [σ(a1), ζ2], initial "
                + "couplings N(0, 1.0²)"), table);
        CliRun bad = run(toyRbm(tmp.resolve("y"), "--set", "dvae.experiment.toy-rbm.evaluation-point=mean"));
        assertEquals(Main.EXIT_BAD_INPUT, bad.exit());
        assertTrue(bad.err().contains("dvae.experiment.toy-rbm.evaluation-point"), bad.err());
    }

    @Test
    void aNonEmptyResultsDirectoryIsKeptUnlessForced() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("kept"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        CliRun refused = run(toyRbm(out));
        assertEquals(Main.EXIT_BAD_INPUT, refused.exit());
        assertTrue(refused.err().contains("results directory " + out + " is not empty; pass --force"), refused.err());
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        assertEquals(0, run(toyRbm(out, "--force")).exit());
        assertTrue(Files.exists(out.resolve("result.json")));
    }

    @Test
    void onlyTheExperimentADirectoryHoldsIsResumed() throws Exception {
        Path out = tmp.resolve("resumed");
        assertEquals(0, run(toyRbm(out)).exit());
        assertTrue(Files.isRegularFile(out.resolve("progress").resolve("started.json")));
        // The same command line continues it: the (case, seed) runs it kept are read back, not run again (a kept run
        // marked here shows in the results), the others run, and the results are written again.
        Path t1 = out.resolve("progress").resolve("toy-rbm-t1-seed-1.json");
        Path t8 = out.resolve("progress").resolve("toy-rbm-t8-seed-1.json");
        JsonNode before = new ObjectMapper().readTree(out.resolve("result.json").toFile());
        ObjectNode marked = (ObjectNode) new ObjectMapper().readTree(t1.toFile());
        marked.put("descended_kl", 123.0);
        Files.writeString(t1, marked.toString());
        Files.delete(t8); // as if stopped before t = 8 finished
        Files.delete(out.resolve("result.json"));
        assertEquals(0, run(toyRbm(out, "--resume")).exit());
        JsonNode after = new ObjectMapper().readTree(out.resolve("result.json").toFile());
        assertEquals(123.0, after.get("basins").get(0).get("descended_kl").get(0).asDouble());
        assertEquals(before.get("cases"), after.get("cases"));
        assertEquals(before.get("basins").get(3), after.get("basins").get(3)); // t = 8, run again: the same
        assertTrue(Files.isRegularFile(t8));
        CliRun other = run(toyRbm(out, "--resume", "--set", "dvae.experiment.toy-rbm.batch=20"));
        assertEquals(Main.EXIT_BAD_INPUT, other.exit());
        assertTrue(other.err().contains("results directory " + out + " holds an experiment started with other "
                + "settings, budget or seeds"), other.err());
        CliRun both = run(toyRbm(out, "--resume", "--force"));
        assertEquals(Main.EXIT_BAD_INPUT, both.exit());
        CliRun nothing = run(toyRbm(Files.createDirectories(tmp.resolve("empty")), "--resume"));
        assertEquals(Main.EXIT_BAD_INPUT, nothing.exit());
        assertTrue(nothing.err().contains("holds no experiment to resume"), nothing.err());
        for (CliRun refused : List.of(other, both, nothing)) {
            assertEquals(1, refused.err().strip().lines().count(), refused.err());
        }
    }

    @Test
    void toyGaussianWritesItsFiguresAndFindings() throws Exception {
        Path out = tmp.resolve("toy-gaussian");
        CliRun o = run(List.of("experiment", "toy-gaussian", "--json", "--seeds", "2", "--out", out.toString(),
                "--set", "dvae.experiment.toy-gaussian.iterations.quick=100",
                "--set", "dvae.experiment.toy-gaussian.variance-draws=20"));
        assertEquals(0, o.exit(), o.err());
        JsonNode json = new ObjectMapper().readTree(o.out());
        assertEquals("toy-gaussian", json.get("experiment").asText());
        assertEquals(2, json.get("seeds").asInt());
        List<String> methods = StreamSupport.stream(json.get("methods").spliterator(), false)
                .map(m -> m.get("method").asText()).toList();
        assertEquals(List.of("gibbs-t1", "gibbs-t2", "gibbs-t4", "gibbs-t8", "gibbs-t1+I", "gibbs-t2+I", "gibbs-t4+I",
                "gibbs-t8+I", "reinforce", "reparameterized"), methods);
        assertTrue(json.get("findings").has("term_i_raises_variance_for_every_t"), json.toString());
        for (String file : List.of("result.json", "table.md", "kl.png", "gradient-variance.png")) {
            assertTrue(Files.size(out.resolve(file)) > 0, file);
        }
    }

    @Test
    void aBadListSettingNamesTheKey() {
        CliRun o = run(toyRbm(tmp.resolve("x"), "--set", "dvae.experiment.toy-rbm.ts=[0]"));
        assertEquals(Main.EXIT_BAD_INPUT, o.exit());
        assertTrue(o.err().contains("setting dvae.experiment.toy-rbm.ts must be a non-empty list of whole numbers "
                + "of at least 1, got [0]"), o.err());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
