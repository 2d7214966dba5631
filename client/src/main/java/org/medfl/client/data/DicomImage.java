package org.medfl.client.data;

import java.nio.file.Path;
import java.util.List;

/**
 * One decoded DICOM image, pixel values after the modality rescale ({@code stored * slope + intercept} when both
 * Rescale Slope and Rescale Intercept are present: Hounsfield units for CT), before any windowing or MONOCHROME1
 * inversion, which are presentation steps (see {@link DicomUnitScale}).
 *
 * @param rows (0028,0010)
 * @param columns (0028,0011)
 * @param samplesPerPixel 1 (MONOCHROME1/2) or 3 (RGB; YBR_FULL or YBR_FULL_422, kept as YCbCr, with the chroma of
 *     uncompressed YBR_FULL_422 repeated for both pixels that share it)
 * @param photometric (0028,0004), e.g. "MONOCHROME2"
 * @param modality (0008,0060), or null
 * @param patientId (0010,0020), or null
 * @param windowCenter the first (0028,1050) value ImageJ reports, or null
 * @param windowWidth the matching (0028,1051) value, or null
 * @param frameCount frames in the file (1 unless multi-frame)
 * @param frameIndices 0-based index in the file of each entry of {@code frames}
 * @param frames the selected frames, each {@code rows * columns * samplesPerPixel} values in row-major order with a
 *     pixel's samples side by side (R, G, B), as pydicom's {@code pixel_array} lays them out
 * @param transferSyntaxUid (0002,0010)
 */
public record DicomImage(Path file, int rows, int columns, int samplesPerPixel, String photometric, String modality,
    String patientId, Double windowCenter, Double windowWidth, int frameCount, int[] frameIndices,
    List<double[]> frames, String transferSyntaxUid) implements DicomResult {

  public DicomImage {
    frames = List.copyOf(frames);
    frameIndices = frameIndices.clone();
    if (frames.size() != frameIndices.length) {
      throw new IllegalArgumentException(frames.size() + " frames but " + frameIndices.length + " frame indices");
    }
  }

  /** Whether larger values are darker (MONOCHROME1, e.g. many radiographs). */
  public boolean invertedGray() {
    return "MONOCHROME1".equals(photometric);
  }

  /** This image as read from {@code source} under {@code syntax}, e.g. a deflated file through its inflated copy. */
  DicomImage from(Path source, String syntax) {
    return new DicomImage(source, rows, columns, samplesPerPixel, photometric, modality, patientId, windowCenter,
        windowWidth, frameCount, frameIndices, frames, syntax);
  }

  /** Values per frame. */
  public int valuesPerFrame() {
    return rows * columns * samplesPerPixel;
  }
}
