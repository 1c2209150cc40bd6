package dev.clattn.opencl;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Chooses a device: the platform and device selectors each take an index or a case-insensitive name
 * substring; without a device selector the best device wins (GPU, then accelerator, then CPU; more compute
 * units break ties; then enumeration order).
 */
public final class DeviceSelector {
    private DeviceSelector() {
    }

    public static Optional<DeviceInfo> choose(List<DeviceInfo> devices, String platform, String device) {
        Stream<DeviceInfo> candidates = devices.stream();
        if (platform != null) {
            candidates = candidates.filter(d -> matches(platform, d.platformIndex(), d.platformName()));
        }
        if (device != null) {
            List<DeviceInfo> matching = candidates.toList();
            boolean indexed = device.chars().allMatch(Character::isDigit);
            if (indexed && platform == null && matching.stream().map(DeviceInfo::platformIndex).distinct().count() > 1) {
                // A bare index is ambiguous across platforms: count across all devices in enumeration order.
                int index = Integer.parseInt(device);
                return index < matching.size() ? Optional.of(matching.get(index)) : Optional.empty();
            }
            return matching.stream().filter(d -> matches(device, d.deviceIndex(), d.name())).findFirst();
        }
        return candidates.max(Comparator.comparingInt(DeviceInfo::typeRank)
                .thenComparingInt(DeviceInfo::computeUnits)
                .thenComparing(Comparator.comparingInt(DeviceInfo::platformIndex).reversed())
                .thenComparing(Comparator.comparingInt(DeviceInfo::deviceIndex).reversed()));
    }

    private static boolean matches(String selector, int index, String name) {
        if (selector.chars().allMatch(Character::isDigit)) {
            return Integer.parseInt(selector) == index;
        }
        return name.toLowerCase(Locale.ROOT).contains(selector.toLowerCase(Locale.ROOT));
    }
}
