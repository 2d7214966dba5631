package org.medfl.client.data;

import java.nio.file.Path;

/**
 * A DICOM file that was not used, and why in one line for the operator; when a conversion would make it usable
 * the reason names a tool that does it (dcmtk's {@code dcmdjpeg}, gdcm's {@code gdcmconv --raw}, ...).
 */
public record DicomSkip(Path file, String reason) implements DicomResult {}
