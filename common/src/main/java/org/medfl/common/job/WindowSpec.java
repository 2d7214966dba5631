package org.medfl.common.job;

/**
 * CT windowing: values outside [center - width/2, center + width/2] (in rescaled units, e.g. Hounsfield) are clipped.
 *
 * @param center window centre, or null when taken from each file's DICOM tags
 * @param width window width, greater than 0, or null when taken from the DICOM tags
 * @param fromDicom true to use each file's Window Center/Width tags (files without them are left unwindowed)
 */
public record WindowSpec(Double center, Double width, boolean fromDicom) {
  public WindowSpec {
    if (fromDicom && (center != null || width != null)) {
      throw JobSpecException.key("preprocessing.window", "gives center/width and from_dicom: true; choose one");
    }
    if (!fromDicom) {
      if (center == null || width == null) {
        throw JobSpecException.key("preprocessing.window", "needs both 'center' and 'width', or 'from_dicom: true'");
      }
      if (!(width > 0) || !Double.isFinite(width) || !Double.isFinite(center)) {
        throw JobSpecException.key("preprocessing.window.width", "must be a positive number, got " + width);
      }
    }
  }
}
