package dev.peerkey.cli;

import dev.peerkey.chain.NodeKind;
import picocli.CommandLine;

/** Parses {@code --node hardhat|anvil|ganache}; anything else is an invalid command line naming the choices. */
final class NodeKindConverter implements CommandLine.ITypeConverter<NodeKind> {
    @Override
    public NodeKind convert(String text) {
        try {
            return NodeKind.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
