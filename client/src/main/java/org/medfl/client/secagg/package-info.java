/** The site's side of secure aggregation: the protocol steps a site takes when the coordinator asks. */
package org.medfl.client.secagg;
