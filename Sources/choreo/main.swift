import ChoreoCLI

await ChoreoCommand.runAndExit()
