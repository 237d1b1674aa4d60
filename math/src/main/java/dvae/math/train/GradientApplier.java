package dvae.math.train;

import java.nio.FloatBuffer;

/**
 * Applies one push to the flat parameter vector in place: the parameter server's only piece of maths. The real one
 * is {@link ModelUpdater} (weight decay and Adam); it may keep optimizer state (moments) of its own, and is only
 * ever called from one thread at a time.
 */
@FunctionalInterface
public interface GradientApplier {
    /**
     * Applies the push unless one of its values is not finite.
     *
     * @param parameters all parameters, updated in place (or, see {@link #writeBack}, once they are read)
     * @param gradient   the gradient of the loss with respect to {@code parameters}, as many values as remain in the
     *                   buffer (in the layout of {@link ParameterVector#writeGradientAndState}; a view of the push's
     *                   bytes, read without copying them first)
     * @param learningRate the coordinator's scheduled rate at the step the gradient belongs to
     * @param stepScale  in (0, 1]: multiplies this update's step size (not the gradient, whose scale Adam would
     *                   normalise away); below 1 when a stale gradient is down-weighted
     * @param step       1-based number of this update (Adam's bias correction, learning-rate schedules)
     * @return false, and nothing changed, when the push holds NaN or infinity (checked as it is read, not in a pass
     *         of its own)
     */
    boolean apply(float[] parameters, FloatBuffer gradient, double learningRate, float stepScale, long step);

    /**
     * Writes into {@code parameters} every update {@link #apply} made to them but has not written yet: an applier may
     * keep the newest values elsewhere between updates (the real one in its model replica, since a push that nobody
     * pulls needs no copy of the whole model). Called before anything reads the vector.
     */
    default void writeBack(float[] parameters) {
    }
}
