import ChatWebhooks
import Vapor

/// The webhooks' HTTP client is released with the application (it is made by `configure`, also
/// for commands that never run the services), after the services have stopped.
struct WebhookClientRelease: LifecycleHandler {
    let sender: HTTPWebhookSender

    func shutdownAsync(_ application: Application) async {
        await sender.shutdown()
    }
}
