package dev.clattn.opencl;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Shipped parameters by device class, from the {@code deviceClasses} of {@code /profiles/builtin.json}, over
 * each kernel file's own defaults: the narrowest entry for the device's class and the kernel whose
 * {@code maxHeadDim} covers the head dimension (an entry without one covers any). The one value derived
 * from the device rather than written down: attention_fused_vec's vector width, the device's preferred float
 * vector width (8 on AVX2, 16 on AVX-512).
 */
public final class BuiltinParams {
    /** One entry of the table; maxHeadDim 0 covers every head dimension. */
    record Entry(String deviceClass, String kernel, int maxHeadDim, Map<String, Integer> params) {
        boolean covers(int headDim) {
            return maxHeadDim == 0 || headDim <= maxHeadDim;
        }

        int reach() {
            return maxHeadDim == 0 ? Integer.MAX_VALUE : maxHeadDim;
        }
    }

    private static final List<Entry> TABLE = load();

    private BuiltinParams() {
    }

    private static List<Entry> load() {
        try (InputStream in = BuiltinParams.class.getResourceAsStream("/profiles/builtin.json")) {
            if (in == null) {
                throw new IllegalStateException("/profiles/builtin.json is missing from the jar");
            }
            JsonObject root = new Gson().fromJson(new InputStreamReader(in, StandardCharsets.UTF_8), JsonObject.class);
            Entry[] entries = new Gson().fromJson(root.get("deviceClasses"), Entry[].class);
            return List.of(entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The built-in values for this device and head dimension that the (possibly edited) source still declares. */
    public static Map<String, Integer> of(KernelSource source, DeviceInfo device, int headDim) {
        Map<String, Integer> values = new HashMap<>();
        TABLE.stream()
                .filter(e -> e.kernel().equals(source.name()) && e.deviceClass().equals(device.deviceClass())
                        && e.covers(headDim))
                .min(Comparator.comparingInt(Entry::reach))
                .ifPresent(e -> values.putAll(e.params()));
        if (source.name().equals("attention_fused_vec") && device.isCpu()) {
            values.put("VW", vectorWidth(device.preferredFloatVector()));
        }
        values.keySet().retainAll(source.defaults().keySet());
        return values;
    }

    /** The values for kernels whose parameters do not depend on the head dimension. */
    public static Map<String, Integer> of(KernelSource source, DeviceInfo device) {
        return of(source, device, 0);
    }

    /** The kernel's widths 4, 8 and 16: the widest not over the device's preference, at least 4. */
    static int vectorWidth(int preferred) {
        return preferred >= 16 ? 16 : preferred >= 8 ? 8 : 4;
    }
}
