package dev.clattn.opencl;

import dev.clattn.BackendContract;
import dev.clattn.Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** The backend contract on the OpenCL test device, with one engine per test class built from {@link #config()}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OpenClContract extends BackendContract implements dev.clattn.StructureContract,
        dev.clattn.ScoreContract {
    private OpenClBackend backend;

    @Override
    public dev.clattn.spi.Backend structureBackend() {
        return backend;
    }

    @Override
    public dev.clattn.spi.Backend scoreBackend() {
        return backend;
    }

    /** The configuration this class's engine runs with. */
    protected abstract Config config();

    @BeforeAll
    void open() {
        backend = new OpenClBackend(OpenClDevices.require(), config());
    }

    @AfterAll
    void close() {
        if (backend != null) {
            backend.close();
        }
    }

    @Override
    protected OpenClBackend backend() {
        return backend;
    }
}
