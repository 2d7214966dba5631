/** The site agent: joins the consortium, trains on local data, sends only model updates. */
package org.medfl.client;
