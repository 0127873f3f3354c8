import NewsinboxToolCommand

NewsinboxToolEntry.main()
