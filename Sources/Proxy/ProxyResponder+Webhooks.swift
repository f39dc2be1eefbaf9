import WebhookDelivery

/// Builds the loop's `WebhookDispatcher`: it posts through the loop's upstream client (each
/// delivery on a connection of its own, behind the SSRF address filter), reads the current
/// `webhooks.*` settings at each delivery (so a reload applies to the next one), counts into the
/// loop's metric shard, and fetches signing secrets from Replicate through `callUpstream`, like
/// every other call Reprise makes there.
extension ProxyResponder {
    func makeWebhookDispatcher() -> WebhookDispatcher {
        let clock = self.clock
        return WebhookDispatcher(
            loop: loop, client: upstream, metrics: cache.metrics, logger: log.logger,
            settings: { [unowned self] in settings.webhooks },
            unixSeconds: { clock.unixNanos() / 1_000_000_000 },
            callReplicate: { [unowned self] request, completion in
                callUpstream(request) { result in completion(result.map { ($0.head.status, $0.body) }) }
            })
    }
}
