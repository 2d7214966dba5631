/** Local training at a site: one job's network, trained from the global parameters on local data, returning a delta. */
package org.medfl.client.training;
