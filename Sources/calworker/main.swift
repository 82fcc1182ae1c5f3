import CalworkerCLI

CLI.main()
