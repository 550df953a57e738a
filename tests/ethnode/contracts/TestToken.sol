// SPDX-License-Identifier: Apache-2.0
// A minimal ERC-20 token for zkpor's chain tests (tests/test_ethnode_check.py): the
// deployer receives the whole supply; decimals are chosen at deployment so a test can
// deploy a token whose decimals differ from the asset's. No allowances: the reserves check
// only reads balanceOf and decimals, and the tests move tokens with transfer.
pragma solidity 0.8.28;

contract TestToken {
    string public name;
    string public symbol;
    uint8 public immutable decimals;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;

    event Transfer(address indexed from, address indexed to, uint256 value);

    constructor(string memory name_, string memory symbol_, uint8 decimals_, uint256 supply) {
        name = name_;
        symbol = symbol_;
        decimals = decimals_;
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        uint256 have = balanceOf[msg.sender];
        require(have >= value, "TestToken: balance too low");
        unchecked {
            balanceOf[msg.sender] = have - value;
        }
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }
}
