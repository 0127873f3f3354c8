import NewsinboxToolCommand
import NewsinboxctlCommand
import NewsinboxdCommand

// One binary for the package, installed as /usr/bin/newsinbox with /usr/sbin/newsinboxd and
// /usr/bin/newsinboxctl linked to it: the three tools share the Swift runtime and the libraries,
// which statically linked would otherwise be carried three times. The name it was run by decides.
switch CommandLine.arguments.first?.split(separator: "/").last {
case "newsinboxd": NewsinboxdEntry.main()
case "newsinboxctl": NewsinboxctlEntry.main()
default: NewsinboxToolEntry.main()
}
