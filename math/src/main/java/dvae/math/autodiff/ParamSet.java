package dvae.math.autodiff;

import dvae.math.tensor.Matrix;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's tensors by unique name (e.g. {@code decoder/hidden0/kernel}), in creation order: trainable parameters plus
 * non-trainable state. Layers register theirs when built; optimizers, weight decay and checkpoints work on the set.
 */
public final class ParamSet {
    private final Map<String, Param> byName = new LinkedHashMap<>();

    /** Registers a tensor with its role's default weight-decay flag; {@code initial} is owned by the set from now on. */
    public Param add(String name, Role role, Matrix initial) {
        return add(name, role, initial, role.decayedByDefault());
    }

    /** Registers a tensor, saying explicitly whether it is weight-decayed. */
    public Param add(String name, Role role, Matrix initial, boolean decayed) {
        if (byName.containsKey(name)) {
            throw new IllegalArgumentException("parameter name used twice: " + name);
        }
        Param p = new Param(name, role, decayed, initial);
        byName.put(name, p);
        return p;
    }

    public Param get(String name) {
        Param p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter named " + name);
        }
        return p;
    }

    /** Every tensor, trainable and state, in creation order. */
    public List<Param> all() {
        return Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    /** The trainable parameters, in creation order. */
    public List<Param> trainable() {
        return byName.values().stream().filter(Param::trainable).toList();
    }

    /** Sets every gradient to zero; call before each forward/backward pass. */
    public void zeroGrads() {
        for (Param p : trainable()) {
            p.grad().fill(0f);
        }
    }

    /** Number of trainable scalars. */
    public long trainableCount() {
        return trainable().stream().mapToLong(p -> p.value().size()).sum();
    }
}
