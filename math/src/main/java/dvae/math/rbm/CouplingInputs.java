package dvae.math.rbm;

/**
 * The coupling inputs of a block of chains of one RBM, z1·W for side 2's draws and z2·Wᵀ for side 1's, kept up to
 * date from the units each draw changed instead of multiplied anew. A draw that changes a fraction f of the units
 * costs f of a product in row additions; trained machines change few (about a tenth of the units per half-sweep for
 * the prior and posteriors of a 2,000-step MNIST run, down to 4% late in a posterior's annealing), random ones many
 * (a quarter to a half), for which a fresh product is taken instead. Each input is also multiplied anew every
 * {@link #REFRESH_EVERY} updates, which bounds the rounding the additions accumulate.
 *
 * <p>Owned by one {@link BlockGibbs} engine and used by one thread.
 */
final class CouplingInputs {
    /**
     * Above this fraction of changed units a product is taken instead of row additions. One thread, 4,000 chains of a
     * 100+100 RBM: the additions took 0.8× a product's time with 8% of the units changed and 1.45× with a quarter;
     * with both cores busy the product slows more than the additions do, but 0.3 still made AIS of a random
     * posterior (a quarter changed) slower; 0.1 and 0.2 made AIS of a trained one no faster.
     */
    static final double PRODUCT_ABOVE = 0.15;
    /** Row-addition updates of an input between fresh products. */
    static final int REFRESH_EVERY = 64;
    /**
     * After a draw changed too many units, this many of the next draws are not tracked (their inputs are multiplied
     * anew without looking): on a machine that keeps changing many units the tracking would cost without paying.
     */
    static final int UNTRACKED_AFTER_MANY = 16;

    private final BlockGibbs engine;
    private RbmBatch machines;
    private int n1;
    private int n2;
    private int wOff;
    private int b1Off;
    private int b2Off;
    private float[] wT;
    private float[] z1;
    private int z1Off;
    private float[] z2;
    private int z2Off;
    private int rows;
    private final Side side1 = new Side();
    private final Side side2 = new Side();
    private int[] scratch = new int[0];
    private long[] words = new long[0];
    /** Updates by row additions and by products since the engine was made, for tests and profiles. */
    long additionUpdates;
    long productUpdates;

    /** One side's input and what is known of the other side's changes since it was computed. */
    private static final class Side {
        float[] input = new float[0];
        int[] flips = new int[0];
        /** input holds the product for some state of the other side. */
        boolean valid;
        /** The other side has been drawn since. */
        boolean stale;
        /** ... and that draw's changes are in flips. */
        boolean tracked;
        int updates;
        int untracked;
    }

    CouplingInputs(BlockGibbs engine) {
        this.engine = engine;
    }

    /**
     * Starts on chains z1 (rows × n1 from z1Off) and z2 (rows × n2 from z2Off) of the RBM, whose transposed
     * couplings are wT (n2 × n1, or null as below). z2 need not hold a state yet: the first {@link #drawSide2}
     * writes it.
     */
    void start(Rbm rbm, float[] wT, float[] z1, int z1Off, float[] z2, int z2Off, int rows) {
        start(new RbmBatch(1, rbm.n1(), rbm.n2(), rbm.w(), rbm.b1(), rbm.b2()), 0, wT, z1, z1Off, z2, z2Off, rows);
    }

    /**
     * Starts on chains of example e's machine of a batch. With wT null, side 1's input (z2·Wᵀ) is multiplied anew at
     * every draw, and only side 2's kept up to date: a per-example machine has no transposed copy, and making one
     * would cost as much as the products it saves.
     */
    void start(RbmBatch machines, int e, float[] wT, float[] z1, int z1Off, float[] z2, int z2Off, int rows) {
        this.machines = machines;
        this.n1 = machines.n1();
        this.n2 = machines.n2();
        this.wOff = e * n1 * n2;
        this.b1Off = e * n1;
        this.b2Off = e * n2;
        this.wT = wT;
        this.z1 = z1;
        this.z1Off = z1Off;
        this.z2 = z2;
        this.z2Off = z2Off;
        this.rows = rows;
        prepare(side1, n1, n2);
        prepare(side2, n2, n1);
        if (scratch.length < Math.max(n1, n2)) {
            scratch = new int[Math.max(n1, n2)];
            words = new long[VectorMath.changedUnitWords(Math.max(n1, n2))];
        }
    }

    private void prepare(Side side, int width, int otherUnits) {
        if (side.input.length < rows * width) {
            side.input = new float[rows * width];
        }
        int flipInts = rows * VectorMath.patternsPerRow(otherUnits);
        if (side.flips.length < flipInts) {
            side.flips = new int[flipInts];
        }
        side.valid = false;
        side.stale = false;
        side.tracked = false;
        side.updates = 0;
        side.untracked = 0;
    }

    /** z1·W (rows × n2, raw: no scale, no bias) for the chains' current z1. */
    float[] side2Input() {
        bringUpToDate(side2, n2, n1, machines.w(), wOff, z1, z1Off,
                () -> engine.productSide2(machines.w(), wOff, n1, n2, z1, z1Off, rows, side2.input));
        return side2.input;
    }

    /** z2 ~ Bern(σ(sw·z1W + sb·b2)). */
    void drawSide2(float sw, float sb) {
        float[] input = side2Input();
        engine.sample(input, sw, machines.b2(), b2Off, sb, rows, n2, z2, z2Off, drawn(side1, wT != null));
    }

    /** z1 ~ Bern(σ(sw·z2Wᵀ + sb·b1)). */
    void drawSide1(float sw, float sb) {
        bringUpToDate(side1, n1, n2, wT, 0, z2, z2Off,
                () -> engine.productSide1(machines.w(), wOff, n1, n2, z2, z2Off, rows, side1.input));
        engine.sample(side1.input, sw, machines.b1(), b1Off, sb, rows, n1, z1, z1Off, drawn(side2, true));
    }

    /**
     * Marks the input stale before the other side is drawn; returns where that draw records its changes, if at all
     * (never for an input kept by products alone).
     */
    private static int[] drawn(Side dependent, boolean byAdditions) {
        boolean track = byAdditions && dependent.valid && !dependent.stale && dependent.untracked == 0;
        if (dependent.untracked > 0) {
            dependent.untracked--;
        }
        // A second draw before the input is brought up to date would overwrite the first one's changes.
        dependent.tracked = track;
        dependent.stale = true;
        return track ? dependent.flips : null;
    }

    private void bringUpToDate(Side side, int width, int otherUnits, float[] rowsOf, int rowsOfOff, float[] z,
                               int zOff, Runnable product) {
        if (side.valid && !side.stale) {
            return;
        }
        boolean add = side.valid && side.tracked && side.updates < REFRESH_EVERY;
        if (add && VectorMath.countFlips(side.flips, 0, rows, VectorMath.patternsPerRow(otherUnits))
                > PRODUCT_ABOVE * rows * otherUnits) {
            add = false;
            side.untracked = UNTRACKED_AFTER_MANY;
        }
        if (add) {
            VectorMath.addChangedRows(side.input, rows, width, rowsOf, rowsOfOff, z, zOff, otherUnits, side.flips,
                    words, scratch);
            side.updates++;
            additionUpdates++;
        } else {
            product.run();
            side.updates = 0;
            productUpdates++;
        }
        side.valid = true;
        side.stale = false;
    }
}
