package dvae.actors;

import dvae.math.tensor.MatrixOps;
import dvae.math.train.GradientApplier;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Plain SGD (parameters -= learningRate * stepScale * gradient), a stand-in for Adam that records each call's
 * step and scale. A gated one makes every call wait until {@link #openGate()}, so pushes pile up at the server.
 */
final class SgdApplier implements GradientApplier {
    record Call(long step, float stepScale) {
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    private final CountDownLatch gate;

    private SgdApplier(boolean open) {
        gate = new CountDownLatch(open ? 0 : 1);
    }

    static SgdApplier ungated() {
        return new SgdApplier(true);
    }

    static SgdApplier gated() {
        return new SgdApplier(false);
    }

    void openGate() {
        gate.countDown();
    }

    @Override
    public boolean apply(float[] parameters, FloatBuffer gradient, double learningRate, float stepScale, long step) {
        try {
            if (!gate.await(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened the gate");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (!MatrixOps.allFinite(gradient)) {
            return false;
        }
        for (int i = 0; i < parameters.length; i++) {
            parameters[i] -= (float) (learningRate * stepScale) * gradient.get(gradient.position() + i);
        }
        calls.add(new Call(step, stepScale));
        return true;
    }
}
