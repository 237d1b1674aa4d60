package dvae.math.train;

import dvae.math.io.ParamStore;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelCheckpoint;
import dvae.math.optim.Adam;
import java.nio.FloatBuffer;
import java.nio.file.Path;

/**
 * The parameter server's maths for the real model: a replica of the model whose tensors are loaded from the server's
 * flat vector, Adam's moments, and checkpoints in the reference trainer's model format. A push is applied exactly as
 * the reference trainer applies a step ({@link GradientStep#update}), so one worker without staleness reproduces it.
 */
public final class ModelUpdater implements GradientApplier, CheckpointWriter {
    private final DvaeModel model;
    private final Adam adam;
    private final double weightDecay;
    private final String dataset;
    private final float[] meanPixel;
    /** The vector the last update wrote the replica's values into; only the server writes it, through here. */
    private float[] lastWritten;

    public ModelUpdater(DvaeModel model, TrainConfig config, String dataset, float[] meanPixel) {
        this.model = model;
        this.adam = new Adam(model.params(), config.adamBeta1(), config.adamBeta2(), config.adamEpsilon());
        this.weightDecay = config.weightDecay();
        this.dataset = dataset;
        this.meanPixel = meanPixel.clone();
    }

    /** Loads the parameters and Adam's state of a checkpoint {@link #write} made; returns the parameters' values. */
    public float[] restore(Path directory) {
        ParamStore.load(directory.resolve(ModelCheckpoint.PARAMS_DIR), model.params(), adam);
        return ParameterVector.values(model.params());
    }

    @Override
    public void apply(float[] parameters, FloatBuffer gradient, double learningRate, float stepScale, long step) {
        // The replica already holds these values when this vector is the one the last update wrote (the server's
        // case at every step): loading them again would copy the whole model for nothing.
        if (parameters != lastWritten) {
            ParameterVector.loadValues(model.params(), parameters);
        }
        ParameterVector.loadGradientAndState(model.params(), gradient);
        GradientStep.update(model.params(), adam, weightDecay, learningRate * stepScale);
        ParameterVector.copyValues(model.params(), parameters);
        lastWritten = parameters;
    }

    @Override
    public void write(Path directory, long version, float[] parameters) {
        ParameterVector.loadValues(model.params(), parameters);
        ModelCheckpoint.save(directory, model, dataset, meanPixel, adam);
    }
}
