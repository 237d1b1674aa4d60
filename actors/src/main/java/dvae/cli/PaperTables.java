package dvae.cli;

import dvae.cli.GridExperiment.Cell;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tables 1, 2, 3, 5 and 6 of the paper (MNIST figures, reference note §12 and App. B) as grids of runs. */
final class PaperTables {
    private static final int[] SIZES = {200, 400};
    private static final int[] LEVELS = {1, 2, 4};
    private static final int[] KS = {1, 5, 25};
    /** The directed baselines: name, relaxation. */
    private static final String[][] RELAXATIONS = {{"DVAE#", "power"}, {"GumBolt", "concrete"}, {"PWL", "pwl"}};

    private PaperTables() {
    }

    static List<Experiment> all() {
        return List.of(table1(), table2(), table3(), table5(), table6());
    }

    private static String size(int latents) {
        return latents / 2 + "+" + latents / 2;
    }

    private static Map<String, Object> directed(String relaxation, int levels, int latents, boolean context) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dvae.model.posterior", context ? "directed" : "dvae-sharp");
        m.put("dvae.model.relaxation", relaxation);
        m.put("dvae.model.levels", levels);
        m.put("dvae.model.latents", latents);
        return m;
    }

    private static Map<String, Object> rbm(int latents) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dvae.model.posterior", "rbm");
        m.put("dvae.model.relaxation", "pwl");
        m.put("dvae.model.levels", 1);
        m.put("dvae.model.latents", latents);
        return m;
    }

    private static Map<String, Object> with(Map<String, Object> base, Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static Map<String, Object> elbo(Map<String, Object> model) {
        return with(model, "dvae.objective.kind", "elbo", "dvae.objective.samples", 1);
    }

    /** Table 1 (VAE bound): [method][level][size]; DVAE## has one figure per size. */
    private static final String[][][] TABLE1 = {
        {{"84.97±.03", "83.21±.03"}, {"84.96±.05", "83.13±.04"}, {"84.58±.02", "82.93±.04"}},
        {{"84.66±.04", "83.19±.05"}, {"84.71±.03", "83.04±.02"}, {"84.39±.04", "83.14±.04"}},
        {{"84.62±.05", "83.22±.05"}, {"84.50±.07", "82.99±.05"}, {"84.07±.04", "82.90±.03"}}};
    private static final String[] TABLE1_DVAE_SHARP_SHARP = {"84.09±.06", "82.75±.05"};

    static GridExperiment table1() {
        List<Cell> cells = new ArrayList<>();
        for (int m = 0; m < RELAXATIONS.length; m++) {
            for (int l = 0; l < LEVELS.length; l++) {
                for (int z = 0; z < SIZES.length; z++) {
                    cells.add(new Cell(RELAXATIONS[m][0] + " L=" + LEVELS[l], size(SIZES[z]),
                            elbo(directed(RELAXATIONS[m][1], LEVELS[l], SIZES[z], true)), TABLE1[m][l][z]));
                }
            }
        }
        for (int z = 0; z < SIZES.length; z++) {
            cells.add(new Cell("DVAE##", size(SIZES[z]), elbo(rbm(SIZES[z])), TABLE1_DVAE_SHARP_SHARP[z]));
        }
        return new GridExperiment("table1", "Table 1: VAE bound, DVAE#, GumBolt, PWL (L = 1, 2, 4) and DVAE##",
                "paper Table 1, VAE bound", cells);
    }

    /** Table 2 (IW bound): [K][size][PWL L=1, L=2, L=4, DVAE##]. */
    private static final String[][][] TABLE2 = {
        {{"84.60±.04", "84.49±.03", "84.04±.03", "84.06±.03"}, {"83.27±.06", "82.99±.04", "82.89±.03", "82.76±.05"}},
        {{"84.15±.06", "83.88±.02", "83.53±.06", "83.56±.02"}, {"83.24±.06", "82.90±.06", "82.65±.03", "82.76±.06"}},
        {{"83.96±.05", "83.70±.03", "83.38±.02", "83.44±.04"}, {"83.38±.04", "83.05±.03", "82.84±.02", "82.97±.11"}}};

    static GridExperiment table2() {
        List<Cell> cells = new ArrayList<>();
        for (int k = 0; k < KS.length; k++) {
            for (int z = 0; z < SIZES.length; z++) {
                for (int m = 0; m <= LEVELS.length; m++) {
                    boolean dvae = m == LEVELS.length;
                    Map<String, Object> model = dvae ? rbm(SIZES[z]) : directed("pwl", LEVELS[m], SIZES[z], true);
                    cells.add(new Cell("K=" + KS[k] + ", " + size(SIZES[z]), dvae ? "DVAE##" : "PWL L=" + LEVELS[m],
                            with(model, "dvae.objective.kind", "iw", "dvae.objective.samples", KS[k]),
                            TABLE2[k][z][m]));
                }
            }
        }
        return new GridExperiment("table2", "Table 2: IW bound with K = 1, 5, 25, PWL (L = 1, 2, 4) vs DVAE##",
                "paper Table 2, importance-weighted bound", cells);
    }

    /** Table 3 (structured prediction, 100+100): [K][PWL L=1, L=2, L=4, DVAE##]. */
    private static final String[][] TABLE3 = {{"60.82±.17", "59.54±.12", "60.22±.12", "57.13±.18"},
        {"52.38±.03", "52.27±.16", "52.67±.05", "49.25±.07"}, {"48.30±.08", "48.41±.05", "48.61±.11", "45.75±.10"}};

    static GridExperiment table3() {
        List<Cell> cells = new ArrayList<>();
        for (int k = 0; k < KS.length; k++) {
            for (int m = 0; m <= LEVELS.length; m++) {
                boolean dvae = m == LEVELS.length;
                Map<String, Object> model = dvae ? rbm(200) : directed("pwl", LEVELS[m], 200, true);
                // the authors' structured-prediction networks: one hidden layer, learning rate 3e-4
                cells.add(new Cell("K=" + KS[k], dvae ? "DVAE##" : "PWL L=" + LEVELS[m],
                        with(model, "dvae.objective.kind", "struct", "dvae.objective.samples", KS[k],
                                "dvae.model.encoder-hidden", List.of(200), "dvae.train.learning-rate", 3e-4),
                        TABLE3[k][m]));
            }
        }
        return new GridExperiment("table3", "Table 3: structured prediction -log p(x2|x1), K = 1, 5, 25",
                "paper Table 3, structured prediction, 100+100, −log p(x2|x1)", cells);
    }

    /** Table 5 without the shared context (App. B): [method][level][size]; with it, the figures are Table 1's. */
    private static final String[][][] TABLE5_NO_CONTEXT = {
        {{"84.95", "83.26"}, {"84.81", "83.26"}, {"84.61", "83.13"}},
        {{"84.65", "83.21"}, {"84.75", "83.24"}, {"84.90", "83.69"}},
        {{"84.57", "83.23"}, {"84.70", "83.38"}, {"85.00", "83.85"}}};

    static GridExperiment table5() {
        List<Cell> cells = new ArrayList<>();
        for (int m = 0; m < RELAXATIONS.length; m++) {
            for (int l = 0; l < LEVELS.length; l++) {
                for (int z = 0; z < SIZES.length; z++) {
                    for (boolean context : new boolean[] {false, true}) {
                        cells.add(new Cell(RELAXATIONS[m][0] + " L=" + LEVELS[l],
                                size(SIZES[z]) + (context ? " shared context" : " DVAE# structure"),
                                elbo(directed(RELAXATIONS[m][1], LEVELS[l], SIZES[z], context)),
                                context ? TABLE1[m][l][z] : TABLE5_NO_CONTEXT[m][l][z]));
                    }
                }
            }
        }
        return new GridExperiment("table5", "Table 5 (App. B): shared context feature vs DVAE#'s structure",
                "paper Table 5, VAE bound, shared context (Fig. 3c) vs DVAE#'s structure (Fig. 3b)", cells);
    }

    /** Table 6 (DVAE##, 100+100, VAE bound): [t][s]. */
    private static final String[][] TABLE6 = {{"84.11±.04", "84.06±.04", "84.09±.03"},
        {"84.20±.05", "84.12±.04", "84.12±.06"}, {"84.46±.04", "84.32±.05", "84.34±.02"}};

    static GridExperiment table6() {
        int[] ss = {1, 5, 10};
        int[] ts = {1, 2, 4};
        List<Cell> cells = new ArrayList<>();
        for (int t = 0; t < ts.length; t++) {
            for (int s = 0; s < ss.length; s++) {
                cells.add(new Cell("t=" + ts[t], "s=" + ss[s], with(elbo(rbm(200)), "dvae.objective.gibbs-sweeps",
                        ss[s], "dvae.objective.relaxed-sweeps", ts[t]), TABLE6[t][s]));
            }
        }
        return new GridExperiment("table6", "Table 6: DVAE## with s = 1, 5, 10 hard and t = 1, 2, 4 relaxed sweeps",
                "paper Table 6, DVAE## 100+100, VAE bound", cells);
    }
}
