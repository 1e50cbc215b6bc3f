import ChatHTTP
import ChatRealtime
import Vapor

func routes(_ app: Application) throws {
    try app.register(collection: HealthController())
    try app.register(collection: MetricsController())
    try app.register(collection: StartSessionController())
    try app.register(collection: UploadController())
    try app.register(collection: HistoryController())
    try app.register(collection: SessionEndController())
    try app.register(collection: MediaController())
    try app.register(collection: AdminController())
    try app.register(collection: VisitorSocketController())
    try app.register(collection: AuthController())
    try app.register(collection: SessionsController())
    try app.register(collection: AgentFeedController())
    try app.register(collection: TeamController())
    try app.register(collection: SettingsController())
    try app.register(collection: CannedResponsesController())
    try app.register(collection: RatingController())
    try app.register(collection: ReportsController())
    try app.register(collection: SearchController())
    try app.register(collection: WebhooksController())
    try app.register(collection: PrivacyController())
    try app.register(collection: DemoController())
    try app.register(collection: SpecsController())
}
