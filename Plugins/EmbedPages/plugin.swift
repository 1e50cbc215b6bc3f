// EmbedPages: compiles the pages of <package root>/Public into the target that uses this plugin.
//
// Every file under Public/ (dotfiles and dot folders skipped) is an input of one build command
// that runs PageEmbedder to write `EmbeddedPages+Generated.swift` into the plugin's work
// directory, so the build reruns it when a page changes. The plugin itself runs at every build,
// so a page added or removed is picked up too. The generated file extends `EmbeddedPages`, a type
// the target writes by hand.
import Foundation
import PackagePlugin

@main
struct EmbedPages: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let publicDirectory = context.package.directoryURL.appending(path: "Public", directoryHint: .isDirectory)
        let pages = try Self.files(under: publicDirectory)
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedPages+Generated.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(pages.count) pages of Public/ into \(target.name)",
                executable: try context.tool(named: "PageEmbedder").url,
                arguments: [publicDirectory.path(percentEncoded: false), output.path(percentEncoded: false)]
                    + pages.map { $0.path(percentEncoded: false) },
                inputFiles: pages,
                outputFiles: [output]),
        ]
    }

    /// The regular files under `directory`, recursively, without dotfiles, sorted; none when it is missing.
    static func files(under directory: URL) throws -> [URL] {
        guard FileManager.default.fileExists(atPath: directory.path(percentEncoded: false)) else { return [] }
        guard let walk = FileManager.default.enumerator(
            at: directory, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        var files: [URL] = []
        for case let url as URL in walk where !url.lastPathComponent.hasPrefix(".") {
            if try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }
}
