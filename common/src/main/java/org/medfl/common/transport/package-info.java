/** gRPC transport helpers shared by coordinator and sites: flow-controlled chunk streaming. */
package org.medfl.common.transport;
