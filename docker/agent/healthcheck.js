#!/usr/bin/env node
// The agent image's HEALTHCHECK: GET /healthz on the agent's own port (RIGEL_AGENT_PORT, default
// 8651); healthy on a 2xx answer within 4 s. The image has no shell or curl: Node's fetch asks.
"use strict";
/* global fetch, AbortSignal */
const port = process.env.RIGEL_AGENT_PORT || "8651";
fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) }).then(
  (res) => {
    process.exitCode = res.ok ? 0 : 1;
  },
  () => {
    process.exitCode = 1;
  },
);
