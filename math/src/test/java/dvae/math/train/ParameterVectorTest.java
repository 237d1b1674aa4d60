package dvae.math.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.Role;
import dvae.math.tensor.Matrix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** The flat layout, with a tensor large enough to be copied in parallel parts between small ones. */
class ParameterVectorTest {
    private static ParamSet model(float offset) {
        ParamSet params = new ParamSet();
        params.add("b", Role.BIAS, filled(1, 7, offset));
        params.add("w", Role.KERNEL, filled(3, 200_001, offset + 100));
        params.add("mean", Role.BN_MOVING_MEAN, filled(1, 5, offset + 200));
        return params;
    }

    private static Matrix filled(int rows, int cols, float offset) {
        Matrix m = new Matrix(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = offset + i * 1e-3f;
        }
        return m;
    }

    @Test
    void valuesAndPushesRoundTripThroughArraysAndBuffers() {
        ParamSet from = model(1);
        ParamSet to = model(-50);
        int n = ParameterVector.length(from);
        assertEquals(7 + 600_003 + 5, n);
        float[] values = ParameterVector.values(from);
        // through a message's little-endian bytes, read at a non-zero position
        ByteBuffer bytes = ByteBuffer.allocate((n + 3) * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer buffer = bytes.asFloatBuffer();
        buffer.put(new float[] {9, 9, 9}).put(values).position(3);
        ParameterVector.loadValues(to, buffer);
        assertFalse(buffer.hasRemaining());
        assertArrayEquals(values, ParameterVector.values(to));

        for (Param p : from.all()) {
            if (p.trainable()) {
                for (int i = 0; i < p.grad().data.length; i++) {
                    p.grad().data[i] = -i;
                }
            }
        }
        FloatBuffer push = FloatBuffer.allocate(n);
        ParameterVector.writeGradientAndState(from, push);
        assertFalse(push.hasRemaining());
        ParameterVector.loadGradientAndState(to, push.flip());
        for (Param p : to.all()) {
            Param q = from.all().stream().filter(x -> x.name().equals(p.name())).findFirst().orElseThrow();
            assertArrayEquals(p.trainable() ? q.grad().data : q.value().data,
                    p.trainable() ? p.grad().data : p.value().data, p.name());
        }
        float[] copied = new float[n];
        ParameterVector.copyValues(to, copied);
        assertArrayEquals(values, copied);
    }

    private static void setGradients(ParamSet params) {
        for (Param p : params.trainable()) {
            for (int i = 0; i < p.grad().data.length; i++) {
                p.grad().data[i] = 0.5f - i;
            }
        }
    }

    private static Param named(ParamSet params, String name) {
        return params.all().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aCheckedPushIsThePlainOneAndTellsWhetherEveryGradientIsFinite() {
        ParamSet from = model(1);
        setGradients(from);
        int n = ParameterVector.length(from);
        FloatBuffer plain = FloatBuffer.allocate(n);
        ParameterVector.writeGradientAndState(from, plain);
        // into little-endian bytes, as a message holds them
        FloatBuffer checked = ByteBuffer.allocate(n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        assertTrue(ParameterVector.writeGradientAndStateChecked(from, checked));
        assertFalse(checked.hasRemaining());
        float[] a = new float[n];
        float[] b = new float[n];
        plain.flip().get(a);
        checked.flip().get(b);
        assertArrayEquals(a, b);

        // A NaN or infinity in any part of a gradient, the last chunk of the large one included, is seen; a state
        // tensor's values are not gradients and are not checked here.
        for (int at : new int[] {0, 123_456, 599_999}) {
            named(from, "w").grad().data[at] = at == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
            assertFalse(ParameterVector.writeGradientAndStateChecked(from, FloatBuffer.allocate(n)), "at " + at);
            named(from, "w").grad().data[at] = 1f;
        }
        named(from, "b").grad().data[6] = Float.NaN;
        assertFalse(ParameterVector.writeGradientAndStateChecked(from, FloatBuffer.allocate(n)));
        named(from, "b").grad().data[6] = 1f;
        named(from, "mean").value().data[2] = Float.NaN;
        assertTrue(ParameterVector.writeGradientAndStateChecked(from, FloatBuffer.allocate(n)));
    }

    @Test
    void aPushIsLoadedOnlyIfEveryValueIsFiniteAndOtherwiseTheStateIsLeftAlone() {
        ParamSet from = model(1);
        setGradients(from);
        int n = ParameterVector.length(from);
        float[] push = new float[n];
        ParameterVector.writeGradientAndState(from, FloatBuffer.wrap(push));

        ParamSet to = model(-50);
        FloatBuffer buffer = FloatBuffer.wrap(push);
        assertTrue(ParameterVector.loadGradientAndStateIfFinite(to, buffer));
        assertFalse(buffer.hasRemaining());
        assertArrayEquals(named(from, "w").grad().data, named(to, "w").grad().data);
        assertArrayEquals(named(from, "b").grad().data, named(to, "b").grad().data);
        assertArrayEquals(named(from, "mean").value().data, named(to, "mean").value().data);

        // The positions of a gradient value early, late in the large tensor, and of a state value.
        for (int at : new int[] {3, 7 + 599_999, n - 1}) {
            ParamSet fresh = model(-50);
            float[] state = named(fresh, "mean").value().data.clone();
            float[] bad = push.clone();
            bad[at] = Float.NaN;
            assertFalse(ParameterVector.loadGradientAndStateIfFinite(fresh, FloatBuffer.wrap(bad)), "at " + at);
            assertArrayEquals(state, named(fresh, "mean").value().data, "state left alone, NaN at " + at);
        }
    }
}
