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
    /**
     * The vector whose newest values the replica holds (only the server writes it, through here), and whether some
     * of them are not written into it yet.
     */
    private float[] heldFor;
    private boolean unwritten;

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
    public boolean apply(float[] parameters, FloatBuffer gradient, double learningRate, float stepScale, long step) {
        // The replica already holds these values when it holds them for this vector (the server's case at every
        // step): loading them again would copy the whole model for nothing.
        hold(parameters);
        if (!ParameterVector.loadGradientAndStateIfFinite(model.params(), gradient)) {
            return false;
        }
        GradientStep.update(adam, weightDecay, learningRate * stepScale);
        unwritten = true; // written back when they are read, not at every update
        return true;
    }

    @Override
    public void writeBack(float[] parameters) {
        if (parameters == heldFor && unwritten) {
            ParameterVector.copyValues(model.params(), parameters);
            unwritten = false;
        }
    }

    /** Makes the replica hold the newest values of {@code parameters}. */
    private void hold(float[] parameters) {
        if (parameters != heldFor) {
            if (heldFor != null) {
                writeBack(heldFor);
            }
            ParameterVector.loadValues(model.params(), parameters);
            heldFor = parameters;
            unwritten = false;
        }
    }

    /** Adam's step count: with {@link #writeMoments}, the state a worker needs to update a replica as this does. */
    public long optimizerSteps() {
        return adam.steps();
    }

    /** One of Adam's moments (1 or 2), in the layout of {@link ParameterVector#writeMoments}. */
    public void writeMoments(int moment, FloatBuffer into) {
        ParameterVector.writeMoments(model.params(), adam, moment, into);
    }

    /** Sets Adam's state from another updater's ({@link #optimizerSteps}, {@link #writeMoments} 1 and 2). */
    public void loadOptimizerState(long steps, FloatBuffer firstMoments, FloatBuffer secondMoments) {
        adam.restoreSteps(steps);
        ParameterVector.loadMoments(model.params(), adam, 1, firstMoments);
        ParameterVector.loadMoments(model.params(), adam, 2, secondMoments);
    }

    /**
     * Updates the model this was built on from the gradients it holds, as {@link #apply} does from a push: a worker
     * whose replica has the server's parameters and Adam state so takes the server's next version itself. The prior's
     * parameters are updated first and {@code priorUpdated} runs before the rest (a worker asks for the next prior
     * sample there, as the reference trainer starts it): the order changes no value.
     */
    public void updateInPlace(double learningRate, Runnable priorUpdated) {
        GradientStep.update(adam, weightDecay, learningRate, model.prior().parameters(), priorUpdated);
        heldFor = null;
    }

    @Override
    public void write(Path directory, long version, float[] parameters) {
        hold(parameters);
        ModelCheckpoint.save(directory, model, dataset, meanPixel, adam);
    }
}
