/**
 * clattn: attention on any OpenCL device, with a plain-Java fallback. The library's API is {@code dev.clattn}
 * (and {@code dev.clattn.io} for .npy files); the backends, the tuner and the command line are internal.
 */
module dev.clattn {
    requires jocl;
    requires org.slf4j;
    requires com.google.gson;
    requires java.management;
    requires static jdk.management;
    requires static info.picocli;
    requires static org.jfree.jfreechart;
    requires static me.tongfei.progressbar;
    requires static com.microsoft.onnxruntime;
    requires static java.desktop;

    exports dev.clattn;
    exports dev.clattn.io;
    // dev.clattn.spi (Backend, KvStore) is how the engine talks to its backends: internal, like them.

    opens dev.clattn.tune to com.google.gson;
    opens dev.clattn.cli to info.picocli;
}
