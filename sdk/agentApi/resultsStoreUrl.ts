/**
 * `<uploadUrl>/job-<id>/shard-<n>/`: where an agent PUTs one shard's results (PROTOCOL §14.9), and,
 * when `uploadUrl` is a results store (`<store>/v1/store`, §18.8), where the store serves them:
 * the manifest at this URL without its final `/`, a file at `…/file?path=P`, as an agent's results
 * endpoint does (§14.3).
 */
export function shardUploadBase(uploadUrl: string, jobId: bigint | string, shard: number): URL {
  return new URL(`job-${jobId.toString()}/shard-${shard}/`, uploadUrl.endsWith("/") ? uploadUrl : `${uploadUrl}/`);
}

/** The results store's URL of a shard's results: a `resultURI` that `downloadShardResults` reads like an agent's. */
export function storeResultsUri(uploadUrl: string, jobId: bigint | string, shard: number): string {
  return shardUploadBase(uploadUrl, jobId, shard).href.replace(/\/$/, "");
}
