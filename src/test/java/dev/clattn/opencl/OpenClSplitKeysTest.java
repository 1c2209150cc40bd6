package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.Config;
import dev.clattn.Shape;
import org.junit.jupiter.api.Test;

/** The whole contract with the fused path's keys split into 3 blocks per row and merged by LSE on the device. */
class OpenClSplitKeysTest extends OpenClContract {
    @Override
    protected Config config() {
        return Config.builderFromEnvironment().keySplits(3).build();
    }

    @Test
    void automaticSplitsOnlyForShapesThatLeaveTheDeviceIdle() {
        try (OpenClBackend auto = new OpenClBackend(OpenClDevices.require(), Config.builderFromEnvironment().build())) {
            assertTrue(auto.keySplits(new Shape(1, 2, 2, 1, 32768, 64, 64)) > 1);
            assertEquals(1, auto.keySplits(new Shape(4, 16, 16, 4096, 4096, 64, 64)));
            assertEquals(1, auto.keySplits(new Shape(1, 1, 1, 1, 1, 64, 64)));
        }
    }
}
