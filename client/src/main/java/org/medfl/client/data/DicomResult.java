package org.medfl.client.data;

import java.nio.file.Path;

/** What {@link DicomReader} made of one file: a {@link DicomImage} or a {@link DicomSkip} with its reason. */
public sealed interface DicomResult permits DicomImage, DicomSkip {

  /** The file that was read. */
  Path file();
}
