package dvae.math.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
}
