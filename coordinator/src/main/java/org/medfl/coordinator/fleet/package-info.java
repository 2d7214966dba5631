/** The site-facing edge: which sites are connected, and the thin gRPC Fleet service. */
package org.medfl.coordinator.fleet;
