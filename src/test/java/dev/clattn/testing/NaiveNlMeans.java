package dev.clattn.testing;

import dev.clattn.NlMeans;

/** Non-local means from its definition in float64, sharing no code with the library. */
public final class NaiveNlMeans {
    private NaiveNlMeans() {
    }

    /** numpy's reflect (OpenCV's BORDER_REFLECT_101), written out: bounce between 0 and n − 1 until inside. */
    private static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        while (i < 0 || i >= n) {
            i = i < 0 ? -i : 2 * (n - 1) - i;
        }
        return i;
    }

    private static double at(NlMeans.Image u, int y, int x, int c) {
        return u.pixels()[(reflect(y, u.height()) * u.width() + reflect(x, u.width())) * u.channels() + c];
    }

    /** out(p) = Σ_q exp(−d²(p,q)/h²) u(q) / Σ_q exp(…), d² the mean over patch and channels, all reflected. */
    public static double[] exact(NlMeans.Image u, double h, int patch, int search) {
        int r = patch / 2;
        int big = search / 2;
        int c = u.channels();
        double[] out = new double[u.pixels().length];
        for (int y = 0; y < u.height(); y++) {
            for (int x = 0; x < u.width(); x++) {
                double[] num = new double[c];
                double den = 0;
                for (int dy = -big; dy <= big; dy++) {
                    for (int dx = -big; dx <= big; dx++) {
                        double sq = 0;
                        for (int ey = -r; ey <= r; ey++) {
                            for (int ex = -r; ex <= r; ex++) {
                                for (int ch = 0; ch < c; ch++) {
                                    double e = at(u, y + ey, x + ex, ch) - at(u, y + dy + ey, x + dx + ex, ch);
                                    sq += e * e;
                                }
                            }
                        }
                        double w = Math.exp(-sq / (patch * patch * c) / (h * h));
                        den += w;
                        for (int ch = 0; ch < c; ch++) {
                            num[ch] += w * at(u, y + dy, x + dx, ch);
                        }
                    }
                }
                for (int ch = 0; ch < c; ch++) {
                    out[(y * u.width() + x) * c + ch] = num[ch] / den;
                }
            }
        }
        return out;
    }
}
