import Media
import Testing

@Suite struct MediaLocationTests {
    @Test func parsesTheThreeSchemes() throws {
        #expect(try MediaLocation("s3://photos-eu/a/b.jpg") == .s3(bucket: "photos-eu", key: "a/b.jpg"))
        #expect(try MediaLocation("https://cdn.example.com/p/1.jpg?sig=abc") == .http(url: "https://cdn.example.com/p/1.jpg?sig=abc"))
        #expect(try MediaLocation("file:///var/media/a%20b.jpg") == .file(path: "/var/media/a b.jpg"))
        #expect(
            try MediaLocation("https://cdn.example.com/p/1.jpg?sig=abc").description == "https://cdn.example.com/p/1.jpg?…",
            "a signed URL's query is never shown")
    }

    @Test(arguments: ["photos/a.jpg", "ftp://host/a.jpg", "s3://A_Bucket/a.jpg", "s3://ab/a.jpg", "file://relative/a.jpg", "https:///nohost"])
    func refusesWhatIsNotALocation(_ text: String) {
        #expect { try MediaLocation(text) } throws: { ($0 as? MediaError)?.kind == .invalid }
    }

    @Test func siblingsAndNames() throws {
        let photo = try MediaLocation("s3://b-1/photos/2026/a.jpg")
        #expect(photo.name == "a.jpg")
        #expect(photo.sibling("thumbnails/a.jpg") == .s3(bucket: "b-1", key: "photos/2026/thumbnails/a.jpg"))
        #expect(try MediaLocation("https://x.example/a.jpg").sibling("thumbnails/a.jpg") == nil, "http(s) is read-only")
    }
}
