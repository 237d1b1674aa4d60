package dvae.math.nn;

import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.Var;
import dvae.math.random.RandomStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A multilayer perceptron: hidden layers {@link DenseBnTanh}, then an optional linear output layer (dense with bias, no
 * BN, no nonlinearity).
 *
 * <pre>{@code
 * ParamSet params = new ParamSet();
 * Mlp decoder = Mlp.builder("decoder", 200).hidden(200, 200).output(784).build(params, rng);
 * Var logits = decoder.forward(tape.constant(zeta), Mode.TRAIN);
 * }</pre>
 */
public final class Mlp implements Layer {
    private final List<Layer> layers;

    private Mlp(List<Layer> layers) {
        this.layers = List.copyOf(layers);
    }

    public static Builder builder(String name, int inputSize) {
        return new Builder(name, inputSize);
    }

    @Override
    public Var forward(Var x, Mode mode) {
        Var h = x;
        for (Layer layer : layers) {
            h = layer.forward(h, mode);
        }
        return h;
    }

    @Override
    public List<Map<String, Object>> describe() {
        List<Map<String, Object>> steps = new ArrayList<>();
        for (Layer layer : layers) {
            steps.addAll(layer.describe());
        }
        return steps;
    }

    /** This network in evaluation mode for many rows: see {@link FoldedMlp} (a snapshot of the parameters now). */
    public FoldedMlp folded() {
        List<FoldedMlp.Stage> stages = new ArrayList<>();
        for (Layer layer : layers) {
            stages.add(FoldedMlp.stageOf(layer));
        }
        return new FoldedMlp(stages);
    }

    /** Parameter names: {@code name/hidden<i>/dense/kernel}, {@code name/hidden<i>/bn/…}, {@code name/output/…}. */
    public static final class Builder {
        private final String name;
        private final int inputSize;
        private final List<Integer> hidden = new ArrayList<>();
        private int outputSize;
        private BatchNorm.Config bn = BatchNorm.Config.DEFAULT;

        private Builder(String name, int inputSize) {
            this.name = name;
            this.inputSize = inputSize;
        }

        /** Appends hidden layers of the given widths. */
        public Builder hidden(int... sizes) {
            for (int s : sizes) {
                hidden.add(s);
            }
            return this;
        }

        /** Ends with a linear output layer of this width (without it, the last hidden layer is the output). */
        public Builder output(int size) {
            this.outputSize = size;
            return this;
        }

        public Builder batchNorm(BatchNorm.Config config) {
            this.bn = config;
            return this;
        }

        public Mlp build(ParamSet params, RandomStream rng) {
            List<Layer> layers = new ArrayList<>();
            int width = inputSize;
            for (int i = 0; i < hidden.size(); i++) {
                layers.add(new DenseBnTanh(params, name + "/hidden" + i, width, hidden.get(i), bn, rng));
                width = hidden.get(i);
            }
            if (outputSize > 0) {
                layers.add(new Dense(params, name + "/output", width, outputSize, true, rng));
            }
            return new Mlp(layers);
        }
    }
}
