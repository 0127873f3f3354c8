import NewsinboxctlCommand

NewsinboxctlEntry.main()
