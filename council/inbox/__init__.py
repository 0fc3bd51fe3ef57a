"""The inbox area (我的消息): messages to a person about what concerns them, behind one
`notify` call that other channels (SMS) could join."""
