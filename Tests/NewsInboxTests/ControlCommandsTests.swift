import Control
import Glibc
import Testing
@testable import NewsInbox

@Suite struct ControlCommandsTests {
    var config: DaemonConfig {
        var c = DaemonConfig()
        c.inbox = "/srv/news/inbox"
        c.state = "/srv/news/state"
        return c
    }

    func resolved(_ argument: String) -> ControlCommands.Target? {
        if case .success(let target) = ControlCommands.resolve(argument, config: config) { return target }
        return nil
    }

    @Test func aNameAsDroppedIsRelativeToTheInbox() {
        let target = resolved("./reuters/x.xml")
        #expect(target?.relative == "reuters/x.xml" && target?.place == .inbox && target?.asDropped == true)
    }

    @Test func anAbsolutePathNamesItsPlaceInTheInboxOrTheSpool() {
        #expect(resolved("/srv/news/inbox/reuters/x.xml")?.relative == "reuters/x.xml")
        #expect(resolved("/srv/news/inbox/reuters/x.xml")?.asDropped == false)
        #expect(resolved("/srv/news/state/failed/reuters/x.xml.1")?.place == .failed)
        #expect(resolved("/srv/news/state/failed/reuters/x.xml.1")?.relative == "reuters/x.xml.1")
        #expect(resolved("/srv/news/state/done/a.txt")?.place == .done)
    }

    @Test func pathsThatLeaveTheInboxAreRefused() {
        #expect(resolved("../etc/passwd") == nil)
        #expect(resolved("feed/../../x") == nil)
        #expect(resolved("/srv/news/inbox/../state2/x") == nil)
        #expect(resolved("/etc/passwd") == nil)
        #expect(resolved("") == nil)
    }

    @Test func aPeersSupplementaryGroupsComeFromTheSocketItself() throws {
        var groups = [gid_t](repeating: 0, count: 256)
        let n = getgroups(Int32(groups.count), &groups)
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        defer { close(pair[0]); close(pair[1]) }
        let peer = try #require(PeerCredentials.of(pair[0]))
        #expect(peer.pid == getpid() && peer.uid == getuid())
        #expect(Set(peer.groups) == Set(groups.prefix(Int(max(n, 0)))))
    }
}
