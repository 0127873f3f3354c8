import Control
print(ControlProtocol.version)
