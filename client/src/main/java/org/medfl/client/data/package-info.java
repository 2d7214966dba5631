/** A site's local images: reading DATA/&lt;label&gt;/*.png folders into tensors, and the synthetic demo data set. */
package org.medfl.client.data;
