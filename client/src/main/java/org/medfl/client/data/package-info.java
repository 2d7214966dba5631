/**
 * A site's local images: PNG folders and DICOM files (folders or a CSV manifest) into tensors, the inspection of a
 * data folder, and the synthetic demo data sets (shapes, DICOM CT phantoms).
 */
package org.medfl.client.data;
