import NewsinboxdCommand

NewsinboxdEntry.main()
