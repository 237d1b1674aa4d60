package dvae.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dvae.math.BadInputException;
import dvae.math.random.RandomStream;
import dvae.math.rbm.Annealing;
import dvae.math.rbm.AnnealingBase;
import dvae.math.rbm.ExactRbm;
import dvae.math.rbm.LogZEstimate;
import dvae.math.rbm.Rbm;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dvae logz}: an RBM's log partition function by exact enumeration, AIS, reverse AIS or population annealing. */
@Command(name = "logz", mixinStandardHelpOptions = true,
        description = "Estimate an RBM's log partition function (W.npy, b1.npy, b2.npy in a folder, or a random RBM).")
final class LogzCommand implements Callable<Integer> {
    enum Method { exact, ais, rais, pa }

    static final class Source {
        @Option(names = "--rbm", paramLabel = "DIR", required = true,
                description = "Folder with W.npy (n1 x n2), b1.npy (n1) and b2.npy (n2), float32 or float64.")
        Path dir;

        @Option(names = "--random", paramLabel = "N1,N2,SCALE,SEED", required = true,
                description = "A random RBM instead: W and biases ~ SCALE * N(0,1).")
        String random;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--method", defaultValue = "ais", description = "exact, ais, rais or pa (default: ${DEFAULT-VALUE}).")
    Method method;

    @Option(names = "--temps", description = "Temperatures from beta = 0 to 1 (default 10000 from uniform, 500 from biases).")
    Integer temps;

    @Option(names = "--chains", description = "Chains or particles (default 1024 from uniform, 4000 from biases).")
    Integer chains;

    @Option(names = "--base", defaultValue = "uniform",
            description = "Annealing start: uniform or biases (default: ${DEFAULT-VALUE}).")
    String base;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        AnnealingBase annealingBase = AnnealingBase.fromLabel(base);
        boolean fromBiases = annealingBase == AnnealingBase.BIASES;
        int t = temps != null ? temps : fromBiases ? Annealing.POSTERIOR_TEMPS : Annealing.PRIOR_TEMPS;
        int c = chains != null ? chains : fromBiases ? Annealing.POSTERIOR_CHAINS : Annealing.PRIOR_CHAINS;
        if (t < 2) {
            throw new BadInputException("--temps must be at least 2 (beta = 0 and 1), got " + t);
        }
        if (c < 1) {
            throw new BadInputException("--chains must be positive, got " + c);
        }
        Rbm rbm = source.dir != null ? Rbm.load(source.dir) : randomRbm(source.random);
        RandomStream rng = RandomStream.forPurpose(seed, "logz");
        long t0 = System.nanoTime();
        LogZEstimate estimate = switch (method) {
            case exact -> {
                if (Math.min(rbm.n1(), rbm.n2()) > ExactRbm.MAX_ENUMERATED_UNITS) {
                    throw new BadInputException("--method exact enumerates the smaller side, which has "
                            + Math.min(rbm.n1(), rbm.n2()) + " units (at most " + ExactRbm.MAX_ENUMERATED_UNITS + ")");
                }
                yield Annealing.exact(rbm);
            }
            case ais -> Annealing.ais(rbm, t, c, annealingBase, rng).estimate();
            case rais -> Annealing.reverseAis(rbm, t, c, annealingBase, rng).estimate();
            case pa -> Annealing.populationAnnealing(rbm, t, c, annealingBase, rng);
        };
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.println(json ? toJson(rbm, estimate, seconds) : String.format(Locale.ROOT,
                "log Z = %.6f +- %.6f (%s, %d+%d units, %d temps, %d chains, base %s, %.2f s)", estimate.logZ(),
                estimate.sd(), estimate.method(), rbm.n1(), rbm.n2(), estimate.temps(), estimate.chains(),
                estimate.base() == null ? "-" : estimate.base().label(), seconds));
        return 0;
    }

    private static String toJson(Rbm rbm, LogZEstimate estimate, double seconds) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode out = mapper.createObjectNode();
        out.put("logz", estimate.logZ());
        out.put("sd", estimate.sd());
        out.put("method", estimate.method());
        boolean annealed = estimate.base() != null;
        if (annealed) {
            out.put("temps", estimate.temps());
            out.put("chains", estimate.chains());
            out.put("base", estimate.base().label());
        } else {
            out.putNull("temps");
            out.putNull("chains");
            out.putNull("base");
        }
        out.put("n1", rbm.n1());
        out.put("n2", rbm.n2());
        out.put("seconds", seconds);
        return out.toString();
    }

    /** Parses N1,N2,SCALE,SEED. */
    static Rbm randomRbm(String spec) {
        String[] parts = spec.split(",");
        if (parts.length != 4) {
            throw new BadInputException("--random expects N1,N2,SCALE,SEED, got '" + spec + "'");
        }
        try {
            int n1 = Integer.parseInt(parts[0].trim());
            int n2 = Integer.parseInt(parts[1].trim());
            double scale = Double.parseDouble(parts[2].trim());
            long seed = Long.parseLong(parts[3].trim());
            if (n1 < 1 || n2 < 1 || !(scale >= 0) || Double.isInfinite(scale)) {
                throw new BadInputException("--random " + spec + ": sides must be positive and SCALE finite and >= 0");
            }
            return Rbm.random(n1, n2, scale, seed);
        } catch (NumberFormatException e) {
            throw new BadInputException("--random expects N1,N2,SCALE,SEED as numbers, got '" + spec + "'");
        }
    }
}
