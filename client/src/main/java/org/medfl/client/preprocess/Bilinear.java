package org.medfl.client.preprocess;

/** Bilinear resampling of float planes, with pixel centres aligned as most image libraries do. */
final class Bilinear {

  private Bilinear() {}

  /**
   * Resizes the {@code sw x sh} plane {@code src} into a {@code dw x dh} rectangle of {@code dst} starting at
   * {@code offset}, whose rows are {@code stride} values apart; source edges are clamped.
   */
  static void resize(float[] src, int sw, int sh, float[] dst, int offset, int stride, int dw, int dh) {
    if (sw == dw && sh == dh) {
      for (int y = 0; y < sh; y++) {
        System.arraycopy(src, y * sw, dst, offset + y * stride, sw);
      }
      return;
    }
    // Float arithmetic on purpose: it reproduces, bit for bit, what ImageFolderSource produced before this class.
    float scaleX = (float) sw / dw;
    float scaleY = (float) sh / dh;
    for (int y = 0; y < dh; y++) {
      float sy = Math.max(0f, Math.min(sh - 1f, (y + 0.5f) * scaleY - 0.5f));
      int y0 = (int) sy;
      int y1 = Math.min(y0 + 1, sh - 1);
      float fy = sy - y0;
      for (int x = 0; x < dw; x++) {
        float sx = Math.max(0f, Math.min(sw - 1f, (x + 0.5f) * scaleX - 0.5f));
        int x0 = (int) sx;
        int x1 = Math.min(x0 + 1, sw - 1);
        float fx = sx - x0;
        float top = src[y0 * sw + x0] + fx * (src[y0 * sw + x1] - src[y0 * sw + x0]);
        float bottom = src[y1 * sw + x0] + fx * (src[y1 * sw + x1] - src[y1 * sw + x0]);
        dst[offset + y * stride + x] = top + fy * (bottom - top);
      }
    }
  }

  /**
   * The value at the (fractional) pixel position {@code (x, y)} of the {@code w x h} plane at {@code offset} of
   * {@code src}; neighbours outside the plane count as {@code fill}, so edges fade into it.
   */
  static float sample(float[] src, int offset, int w, int h, double x, double y, float fill) {
    int x0 = (int) Math.floor(x);
    int y0 = (int) Math.floor(y);
    double fx = x - x0;
    double fy = y - y0;
    double top = at(src, offset, w, h, x0, y0, fill) * (1 - fx) + at(src, offset, w, h, x0 + 1, y0, fill) * fx;
    double bottom = at(src, offset, w, h, x0, y0 + 1, fill) * (1 - fx)
        + at(src, offset, w, h, x0 + 1, y0 + 1, fill) * fx;
    return (float) (top * (1 - fy) + bottom * fy);
  }

  private static float at(float[] src, int offset, int w, int h, int x, int y, float fill) {
    return x < 0 || y < 0 || x >= w || y >= h ? fill : src[offset + y * w + x];
  }
}
