// EmbedPages: compiles the pages of <package root>/Public into the target that uses this plugin.
//
// One build command runs PageEmbedder, which walks Public/ (dotfiles and dot folders skipped) and
// writes `EmbeddedPages+Generated.swift` into the plugin's work directory; the generated file
// extends `EmbeddedPages`, a type the target writes by hand.
//
// Its inputs are every file under Public/ and every folder. SwiftPM invokes this plugin again only
// when it plans the build anew (Package.swift changed, files added to or removed from a target),
// not when Public/ changes, so the build runs on the list of the last plan:
// - a page changed: its file changed, the tool runs again;
// - a page added to a folder: the folder changed, the tool runs again and lists the folder itself;
// - a page removed, or added to a folder made since the last plan: the next build stops with
//   "missing inputs", or misses the page, until the build is planned again: `touch Package.swift`.
// A clean build (CI, scripts/release on a fresh clone) always embeds Public/ exactly.
import Foundation
import PackagePlugin

@main
struct EmbedPages: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let publicDirectory = context.package.directoryURL.appending(path: "Public", directoryHint: .isDirectory)
        let (files, folders) = try Self.contents(of: publicDirectory)
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedPages+Generated.swift")
        return [
            .buildCommand(
                displayName: "Embedding the pages of Public into \(target.name)",
                executable: try context.tool(named: "PageEmbedder").url,
                arguments: [publicDirectory.path(percentEncoded: false), output.path(percentEncoded: false)],
                inputFiles: folders + files,
                outputFiles: [output]),
        ]
    }

    /// The regular files and the folders under `directory` (itself included), recursively,
    /// without dotfiles and dot folders; none when it is missing.
    static func contents(of directory: URL) throws -> (files: [URL], folders: [URL]) {
        guard FileManager.default.fileExists(atPath: directory.path(percentEncoded: false)),
              let walk = FileManager.default.enumerator(
                  at: directory, includingPropertiesForKeys: [.isRegularFileKey, .isDirectoryKey], options: [.skipsHiddenFiles])
        else { return ([], []) }
        var files: [URL] = []
        var folders: [URL] = [directory]
        for case let url as URL in walk {
            if url.lastPathComponent.hasPrefix(".") {
                walk.skipDescendants()
                continue
            }
            let kind = try url.resourceValues(forKeys: [.isRegularFileKey, .isDirectoryKey])
            if kind.isDirectory == true {
                folders.append(url)
            } else if kind.isRegularFile == true {
                files.append(url)
            }
        }
        return (files.sorted { $0.path < $1.path }, folders.sorted { $0.path < $1.path })
    }
}
